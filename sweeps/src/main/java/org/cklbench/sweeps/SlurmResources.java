package org.cklbench.sweeps;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * What each array task asks Slurm for, and where it is charged: from the grid's {@code slurm}
 * object, with command-line flags taking precedence. Absent values are left to the cluster's
 * defaults.
 *
 * @param throttle most array tasks running at once ({@code --array=...%N}), 0 for no limit
 * @param sbatch   further sbatch options, one per entry ({@code --constraint=a100})
 * @param setup    shell lines each task runs before ckl ({@code module load java/17})
 */
public record SlurmResources(Integer gpus, Integer cpus, String mem, String time, String partition, String account,
                             String qos, int throttle, String jobName, List<String> sbatch, List<String> setup) {
    private static final Set<String> KEYS = Set.of("gpus", "cpus", "mem", "time", "partition", "account", "qos",
            "throttle", "job_name", "sbatch", "setup");

    /**
     * Every value goes into the job script as one line: a control character (a line break above all)
     * would start a shell line of its own, so none is allowed; an #SBATCH value holds no white space.
     */
    public SlurmResources {
        for (String[] v : new String[][] {{"mem", mem}, {"time", time}, {"partition", partition}, {"account", account},
            {"qos", qos}, {"job_name", jobName}}) {
            if (v[1] != null && (v[1].isEmpty() || v[1].chars().anyMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c)))) {
                throw new IllegalArgumentException("slurm " + v[0] + " '" + printable(v[1]) + "': a value of an #SBATCH"
                        + " line must be one word without spaces or control characters");
            }
        }
        sbatch = List.copyOf(sbatch);
        setup = List.copyOf(setup);
        for (String o : sbatch) {
            if (o.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("slurm sbatch option '" + printable(o) + "' holds a control character;"
                        + " each option is one #SBATCH line");
            }
        }
        for (String line : setup) {
            if (line.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("slurm setup line '" + printable(line) + "' holds a line break or"
                        + " another control character; give each shell line as its own entry");
            }
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().forEach(c -> b.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }

    public static SlurmResources of(JsonNode slurm) {
        for (Iterator<String> it = slurm.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("grid \"slurm\": unknown key '" + k + "'; keys are "
                        + String.join(", ", new java.util.TreeSet<>(KEYS)));
            }
        }
        return new SlurmResources(integer(slurm, "gpus"), integer(slurm, "cpus"), text(slurm, "mem"), text(slurm, "time"),
                text(slurm, "partition"), text(slurm, "account"), text(slurm, "qos"),
                slurm.has("throttle") ? integer(slurm, "throttle") : 0,
                slurm.has("job_name") ? text(slurm, "job_name") : "ckl-sweep", lines(slurm, "sbatch"), lines(slurm, "setup"));
    }

    /** These resources with each flag that was given (non-null) in place of the grid's value; extra options add up. */
    public SlurmResources overriddenBy(Integer gpus, Integer cpus, String mem, String time, String partition,
                                       String account, String qos, Integer throttle, List<String> sbatch) {
        List<String> extra = new ArrayList<>(this.sbatch);
        extra.addAll(sbatch);
        return new SlurmResources(gpus != null ? gpus : this.gpus, cpus != null ? cpus : this.cpus,
                mem != null ? mem : this.mem, time != null ? time : this.time,
                partition != null ? partition : this.partition, account != null ? account : this.account,
                qos != null ? qos : this.qos, throttle != null ? throttle : this.throttle, jobName, List.copyOf(extra), setup);
    }

    /** The #SBATCH options of a task, without the array and the log files. */
    List<String> taskOptions() {
        List<String> o = chargeOptions();
        if (cpus != null) {
            o.add("--cpus-per-task=" + cpus);
        }
        if (mem != null) {
            o.add("--mem=" + mem);
        }
        if (time != null) {
            o.add("--time=" + time);
        }
        if (gpus != null && gpus > 0) {
            o.add("--gres=gpu:" + gpus);
        }
        for (String s : sbatch) {
            o.add(s.startsWith("#SBATCH") ? s.substring("#SBATCH".length()).strip() : s.strip());
        }
        return o;
    }

    /** Where jobs go and who pays: shared by the array and the site job. */
    List<String> chargeOptions() {
        List<String> o = new ArrayList<>();
        if (partition != null) {
            o.add("--partition=" + partition);
        }
        if (account != null) {
            o.add("--account=" + account);
        }
        if (qos != null) {
            o.add("--qos=" + qos);
        }
        return o;
    }

    private static Integer integer(JsonNode n, String k) {
        if (!n.has(k)) {
            return null;
        }
        JsonNode v = n.get(k);
        if (v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= 0) {
            return v.asInt();
        }
        if (v.isTextual() && v.asText().matches("\\d{1,9}")) {
            return Integer.parseInt(v.asText());
        }
        throw new IllegalArgumentException("grid \"slurm\": " + k + " must be a whole number, not " + v);
    }

    private static String text(JsonNode n, String k) {
        return n.has(k) ? n.get(k).asText() : null;
    }

    private static List<String> lines(JsonNode n, String k) {
        List<String> out = new ArrayList<>();
        if (n.has(k)) {
            if (n.get(k).isArray()) {
                n.get(k).forEach(x -> out.add(x.asText()));
            } else {
                out.add(n.get(k).asText());
            }
        }
        return List.copyOf(out);
    }
}
