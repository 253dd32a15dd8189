package org.cklbench.core.external;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.run.StageTraining;
import org.cklbench.core.train.Trainer;
import org.cklbench.io.Folders;
import org.cklbench.runfolder.Json;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.text.Preformatted;
import org.cklbench.io.JsonErrors;
import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Trains each stage by running the external method's command (docs/external-methods.md): writes the
 * stage's request and documents into {@code external/stage-kkk/} of the run folder, runs the command, and
 * accepts what it returns only if it changed nothing in the run folder but its {@code adapter_out},
 * {@code state_out} and {@code result.json}, and its adapter passes {@link AdapterCheck}. A stage is
 * always run from scratch: a stage not accepted leaves the run at the checkpoint of the one before.
 */
final class ExternalStages implements StageTraining {
    static final String FOLDER = "external";
    static final String RESULT = "result.json";
    /** The stage's process token (StageProcesses), for a suite that finds the stage again after being killed. */
    static final String TOKEN = "processes.token";
    /** A file of the suite's own, touched to learn the clock of the run folder's file system (FolderSnapshot). */
    static final String CLOCK = "clock.touch";

    private final ExternalMethod.Spec spec;
    private final Setup setup;

    ExternalStages(ExternalMethod.Spec spec, Setup setup) {
        this.spec = spec;
        this.setup = setup;
    }

    static String stageFolder(int stage) {
        return String.format(java.util.Locale.ROOT, "stage-%03d", stage);
    }

    @Override
    public Double train(int stage, Protocol.Stage st) throws IOException {
        Path run = setup.ctx().folder().dir().toAbsolutePath().normalize();
        Path root = run.resolve(FOLDER);
        Path dir = root.resolve(stageFolder(stage));
        Path adapterOut = dir.resolve("adapter_out");
        Path stateOut = dir.resolve("state_out");
        Path result = dir.resolve(RESULT);
        Path stdout = dir.resolve("stdout.log");
        Path stderr = dir.resolve("stderr.log");
        Path model = setup.ctx().inputs().get("model").toAbsolutePath().normalize();
        Path adapterIn;
        Path stateIn;
        if (stage == 1) {
            adapterIn = root.resolve("initial-adapter");
            stateIn = root.resolve("initial-state");
            Folders.deleteTree(adapterIn);
            Folders.deleteTree(stateIn);
            Files.createDirectories(stateIn);
            // the trainable tensors hold the seeded initial LoRA here: stage 1 is never resumed from a checkpoint of its own
            setup.trainer().defaultLora().save(adapterIn, model.toString());
        } else {
            adapterIn = root.resolve(stageFolder(stage - 1)).resolve("adapter_out");
            stateIn = root.resolve(stageFolder(stage - 1)).resolve("state_out");
            if (!Files.isDirectory(adapterIn, LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(stateIn, LinkOption.NOFOLLOW_LINKS)) {
                throw failure(stage, st, "the previous stage's adapter_out or state_out is missing from "
                        + Printable.of(root.toString()) + "; the run cannot go on from it (remove the run folder to start again)");
            }
        }
        Path tokenFile = dir.resolve(TOKEN);
        killLeftBySuiteKilled(tokenFile, stage, st);
        Folders.deleteTree(dir);
        Files.createDirectories(adapterOut);
        Files.createDirectories(stateOut);
        Files.createFile(stdout);
        Files.createFile(stderr);
        RunConfig c = setup.ctx().config();
        Trainer.Segment seg = setup.trainer().segment(stage);
        StageRequests.Stage about = new StageRequests.Stage(c.benchmark(), c.preset(), c.method(), stage,
                setup.stages().size(), st.name(), c.seed(), c.settings(), spec.params(),
                StageRequests.schedule(stage, setup.stageSteps(), seg.start(), seg.steps(), seg.warmup()), spec.privileged());
        Path documents = dir.resolve(StageRequests.DOCUMENTS);
        StageRequests.writeDocuments(documents, st.documents(), setup.trainer().stageOrder(st.documents(), stage),
                spec.privileged());
        Path request = dir.resolve(StageRequests.REQUEST);
        StageRequests.writeRequest(request, StageRequests.request(about, new StageRequests.Paths(model, adapterIn, adapterOut, stateIn, stateOut,
                documents, result)));

        StageProcesses processes = new StageProcesses(StageProcesses.installedSetsid());
        // the host beside the token: a resume elsewhere can tell that it cannot look for them
        Files.writeString(tokenFile, processes.token() + "\n" + StageProcesses.host() + "\n");
        Path clock = dir.resolve(CLOCK);
        Files.createFile(clock);

        // the method's own outputs, and the suite's clock file
        Set<Path> unlisted = Set.of(adapterOut, stateOut, result, stdout, stderr, clock);
        FolderSnapshot before = FolderSnapshot.of(run, unlisted);
        // the base model is read by every later run that shares it: listed as the run folder is, with the
        // targets of its links (a Hugging Face cache's snapshot links to the blobs that hold the weights)
        Path modelFolder = model.toRealPath();
        FolderSnapshot modelBefore = FolderSnapshot.withLinkTargets(modelFolder, Set.of());
        // the run's provenance records their SHA-256: the code of every stage must be the code recorded
        FolderSnapshot filesBefore = declaredFiles();
        if (!FolderSnapshot.awaitDistinctChangeTimes(clock, before, modelBefore, filesBefore)) {
            setup.ctx().progress().note("warning: external method, stage " + stage + " (" + Printable.of(st.name())
                    + "): the change time of " + Printable.of(clock.toString()) + " did not pass the newest one listed"
                    + " within " + FolderSnapshot.CLOCK_WAIT_MS / 1000 + " s (coarse timestamps, or a file server whose"
                    + " clock runs ahead): the check of the run folder, the base model and the declared files cannot"
                    + " see a file rewritten in place, with its size and modification time put back, within the same"
                    + " clock tick on this file system");
        }
        List<String> command = new ArrayList<>(spec.command());
        command.add(request.toString());
        List<String> leftovers;
        try {
            leftovers = ExternalProcess.run(processes, command, spec.workingDir(), Map.of("CKL_REQUEST", request.toString()),
                    spec.timeoutSeconds(), stdout, stderr, ExternalProcess.LOG_LIMIT);
        } catch (ExternalProcess.Failed e) {
            throw failure(stage, st, "the command " + Printable.of(String.join(" ", spec.command())) + " "
                    + e.getMessage());
        }
        if (!leftovers.isEmpty()) {
            // not an error in itself: what they wrote before the kill is checked below as the method's own output
            setup.ctx().progress().note("warning: external method, stage " + stage + " (" + Printable.of(st.name())
                    + "): the command exited but left " + leftovers.size() + " process(es) running; they were killed: "
                    + String.join(", ", leftovers));
        }
        List<String> changes = before.changes(FolderSnapshot.of(run, unlisted));
        if (!changes.isEmpty()) {
            throw failure(stage, st, "the method changed the run folder outside adapter_out and state_out: "
                    + firstFive(changes));
        }
        List<String> modelChanges = modelBefore.changes(FolderSnapshot.withLinkTargets(modelFolder, Set.of()));
        if (!modelChanges.isEmpty()) {
            throw failure(stage, st, "the method changed the base model folder " + Printable.of(modelFolder.toString())
                    + ", which it may only read: " + firstFive(modelChanges));
        }
        List<String> fileChanges = filesBefore.changes(declaredFiles());
        if (!fileChanges.isEmpty()) {
            throw failure(stage, st, "the method changed files its declaration lists, whose SHA-256 the run records: "
                    + firstFive(fileChanges));
        }
        try {
            AdapterCheck.onlyRegularFiles(stateOut, "state_out");
            AdapterCheck.accept(adapterOut, setup.state());
            return trainLoss(result);
        } catch (IOException e) {
            throw failure(stage, st, "its result is refused: " + e.getMessage());
        }
    }

    /**
     * Kills what the stage's last try left running when the suite running it was killed itself (SIGKILL,
     * the OOM killer: nothing stopped the method then), before its folder is emptied under it.
     */
    private void killLeftBySuiteKilled(Path tokenFile, int stage, Protocol.Stage st) throws IOException {
        if (!Files.isRegularFile(tokenFile, LinkOption.NOFOLLOW_LINKS) || Files.size(tokenFile) > 1000) {
            return;
        }
        // two lines: the token, and the host the stage ran on
        List<String> lines = Files.readString(tokenFile).strip().lines().map(String::strip).toList();
        String host = lines.size() > 1 ? lines.get(1) : "";
        String here = StageProcesses.host();
        if (!host.equals(here)) {
            setup.ctx().progress().note("WARNING: external method, stage " + stage + " (" + Printable.of(st.name())
                    + "): its last try ran on host " + Printable.of(host.isEmpty() ? "(not recorded)" : host)
                    + ", this suite runs on host " + Printable.of(here) + ": processes that try left running on "
                    + Printable.of(host.isEmpty() ? "that host" : host) + " could not be looked for or killed from here."
                    + " Make sure none still runs there (they carry " + StageProcesses.TOKEN_VARIABLE + "="
                    + Printable.of(lines.isEmpty() ? "" : lines.get(0)) + ") before trusting this run's results");
        }
        StageProcesses.Killed k = StageProcesses.killLeftBy(lines.isEmpty() ? "" : lines.get(0));
        if (!k.survivors().isEmpty()) {
            throw failure(stage, st, "processes of its last try are still running and could not be stopped: "
                    + String.join(", ", k.survivors()));
        }
        if (!k.found().isEmpty()) {
            setup.ctx().progress().note("warning: external method, stage " + stage + " (" + Printable.of(st.name())
                    + "): " + k.found().size() + " process(es) of its last try, left running when the suite running"
                    + " it was killed, were killed: " + String.join(", ", k.found()));
        }
    }

    /** The files the method's declaration lists (none for --param command=). */
    private FolderSnapshot declaredFiles() throws IOException {
        return spec.declarationFolder() == null ? FolderSnapshot.ofFiles(spec.workingDir(), List.of())
                : FolderSnapshot.ofFiles(spec.declarationFolder(), spec.files());
    }

    private static String firstFive(List<String> changes) {
        return String.join("; ", changes.subList(0, Math.min(5, changes.size())))
                + (changes.size() > 5 ? "; and " + (changes.size() - 5) + " more" : "");
    }

    /** The optional {@code result.json}: {@code {"train_loss": number or null}}. */
    private static Double trainLoss(Path result) throws IOException {
        if (!Files.exists(result, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (!Files.isRegularFile(result, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(RESULT + " is not a regular file");
        }
        AdapterCheck.atMost(result, AdapterCheck.JSON_LIMIT);
        JsonNode n;
        try {
            n = Json.read(result, JsonNode.class);
        } catch (IOException e) {
            throw new IOException(RESULT + " is not valid JSON: " + Printable.of(JsonErrors.clean(String.valueOf(e.getMessage()))), e);
        }
        JsonNode loss = n.isObject() ? n.get("train_loss") : null;
        if (!n.isObject() || (loss != null && !loss.isNull() && !(loss.isNumber() && Double.isFinite(loss.asDouble())))) {
            throw new IOException(RESULT + " must be an object whose train_loss is a finite number or null");
        }
        return loss == null || loss.isNull() ? null : loss.asDouble();
    }

    /** An error naming the stage, and saying that the run keeps what it had. */
    static ExternalFailure failure(int stage, Protocol.Stage st, String what) {
        return new ExternalFailure("external method, stage " + stage + " (" + Printable.of(st.name()) + "): " + what
                + "\n  Nothing of the run folder is lost: the stages before it are kept, this stage's files are left in"
                + " place to look at, and --resume runs it again from scratch.");
    }

    /** A stage an external method did not complete. */
    public static final class ExternalFailure extends IllegalStateException implements Preformatted {
        ExternalFailure(String message) {
            super(message);
        }
    }
}
