package org.cklbench.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Slurm (Debian's slurm-wlm) for tests: slurmctld and slurmd in the foreground on
 * free loopback ports, configured by a slurm.conf written into a temporary folder (no munge: auth/none;
 * no cgroups: proctrack/linuxproc), and stopped by the pids of the processes started here.
 */
final class LocalSlurm implements AutoCloseable {
    static final Path SLURMCTLD = Path.of("/usr/sbin/slurmctld");
    static final Path SLURMD = Path.of("/usr/sbin/slurmd");

    private final Path dir;
    private final Path conf;
    private final List<Process> daemons = new ArrayList<>();

    private LocalSlurm(Path dir) {
        this.dir = dir;
        this.conf = dir.resolve("slurm.conf");
    }

    static boolean installed() {
        return Files.isExecutable(SLURMCTLD) && Files.isExecutable(SLURMD) && Files.isExecutable(Path.of("/usr/bin/sbatch"));
    }

    static LocalSlurm start(Path dir) throws Exception {
        LocalSlurm s = new LocalSlurm(dir);
        try {
            s.writeConf();
            s.daemons.add(s.daemon(SLURMCTLD, "slurmctld", "-D", "-i", "-f", s.conf.toString()));
            s.daemons.add(s.daemon(SLURMD, "slurmd", "-D", "-N", "localhost", "-f", s.conf.toString()));
            s.awaitIdleNode();
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    /** What a Slurm client command needs in its environment to reach this cluster. */
    Map<String, String> env() {
        return Map.of("SLURM_CONF", conf.toString());
    }

    /** Runs a Slurm client command against this cluster; returns its standard output. */
    String client(String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private void writeConf() throws IOException {
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("spool"));
        String user = System.getProperty("user.name");
        String text = String.join("\n",
                "ClusterName=cklbench-test",
                "SlurmctldHost=localhost(127.0.0.1)",
                "SlurmctldPort=" + freePort(),
                "SlurmdPort=" + freePort(),
                "SlurmUser=" + user,
                "SlurmdUser=" + user,
                "AuthType=auth/none",
                "CredType=cred/none",
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none",
                "MpiDefault=none",
                "SchedulerType=sched/backfill",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_CPU",
                "KillWait=30",
                "ReturnToService=2",
                "StateSaveLocation=" + dir.resolve("state"),
                "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"),
                "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("slurmctld.log"),
                "SlurmdLogFile=" + dir.resolve("slurmd.log"),
                "NodeName=localhost NodeAddr=127.0.0.1 CPUs=" + java.lang.Runtime.getRuntime().availableProcessors()
                        + " RealMemory=1000 State=UNKNOWN",
                "PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP", "");
        Files.writeString(conf, text);
    }

    private Process daemon(Path exe, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile());
        pb.environment().putAll(env());
        return pb.start();
    }

    private void awaitIdleNode() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            for (Process d : daemons) {
                if (!d.isAlive()) {
                    throw new IOException("a Slurm daemon exited (" + d.exitValue() + "): " + logs());
                }
            }
            try {
                last = client("sinfo", "--noheader", "--format=%T").strip();
                if (last.equals("idle")) {
                    return;
                }
            } catch (IOException e) {
                last = e.getMessage();
            }
            Thread.sleep(250);
        }
        throw new IOException("the Slurm node did not become idle in 60 s (sinfo: " + last + "): " + logs());
    }

    String logs() throws IOException {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("slurmctld.log", "slurmd.log", "slurmctld.out", "slurmd.out")) {
            Path p = dir.resolve(f);
            if (Files.exists(p)) {
                List<String> lines = Files.readAllLines(p);
                b.append("\n--- ").append(f).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            }
        }
        return b.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Cancels what is left in the queue, then stops the daemons started here (SIGTERM, then SIGKILL). */
    @Override
    public void close() throws Exception {
        if (daemons.size() == 2 && daemons.get(0).isAlive()) {
            try {
                client("scancel", "--user=" + System.getProperty("user.name"));
            } catch (IOException e) {
                // nothing to cancel, or the controller is gone: the daemons are stopped either way
            }
        }
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Process d = daemons.get(i);
            d.destroy();
            if (!d.waitFor(30, TimeUnit.SECONDS)) {
                d.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
