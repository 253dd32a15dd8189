package org.cklbench.cli;

import org.cklbench.datasets.fetch.Catalogue;
import org.cklbench.datasets.fetch.Fetcher;
import org.cklbench.datasets.fetch.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "datasets", mixinStandardHelpOptions = true, description = "The public datasets: list them, fetch them into CKL_HOME.",
        subcommands = {DatasetsCommand.ListSources.class, DatasetsCommand.Fetch.class})
final class DatasetsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every known dataset, whether it is fetched, its files and licence.")
    static final class ListSources implements Callable<Integer> {
        @Override
        public Integer call() {
            Fetcher f = new Fetcher(Home.get(), org.cklbench.progress.Progress.NONE);
            for (Source s : Catalogue.all().values()) {
                System.out.printf("%-22s %-9s %s%n", s.name(), f.isFetched(s) ? "fetched" : "-", s.description());
                for (Source.RemoteFile file : s.files()) {
                    System.out.printf("  %-28s %s%n", file.fileName(),
                            file.sha256() == null ? "SHA-256 recorded at first download" : "SHA-256 " + file.sha256());
                }
                System.out.printf("  licence: %s%n", s.license());
            }
            System.out.println("\nFetched data lives in " + Home.get().resolve("datasets") + " (CKL_HOME).");
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            header = "Download a dataset into CKL_HOME, resumable and SHA-256 verified.",
            description = {"Download a dataset into CKL_HOME/datasets/NAME: resumable, SHA-256 verified, archives " +
                "extracted without letting any entry escape the folder. With --data-dir, take the files from a " +
                "folder instead (a copy made on a machine with internet)."})
    static final class Fetch implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "A dataset name (see ckl datasets list).")
        String name;

        @Option(names = "--data-dir", description = "Folder that already holds the dataset's files (same file names).")
        Path dataDir;

        @Override
        public Integer call() throws Exception {
            Source s = Catalogue.get(name);
            Fetcher f = new Fetcher(Home.get(), new BarProgress());
            boolean had = f.isFetched(s);
            Path dir = f.fetch(s, dataDir);
            System.out.println((had ? "already fetched: " : "fetched: ") + dir);
            return 0;
        }
    }
}
