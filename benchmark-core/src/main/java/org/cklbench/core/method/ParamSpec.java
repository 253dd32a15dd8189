package org.cklbench.core.method;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A typed method parameter: its name, kind, default, range or choices, and meaning. Values arrive as
 * text (command line, grid files) and are parsed and checked here, so a bad value is reported when a
 * run or a whole grid is resolved, before anything starts. Parsed values are canonical: {@code .4},
 * {@code 0.40} and {@code 4e-1} are the same 0.4.
 *
 * @param min       lower bound of a number (inclusive unless {@code minOpen})
 * @param max       upper bound of a number (inclusive unless {@code maxOpen})
 * @param choices   the allowed values of a choice
 * @param pattern   a regular expression a string value must match, or null
 * @param special   a value of a path parameter that is not a path (e.g. "auto"), or null; for an integer,
 *                  {@link #RUN_SEED}: its default is the run's seed
 */
public record ParamSpec(String name, Kind kind, String defaultValue, String description, double min, boolean minOpen,
                        double max, boolean maxOpen, List<String> choices, String pattern, String special) {

    /** The {@code special} of an integer whose default is the run's seed (see {@link #runSeed}). */
    public static final String RUN_SEED = "seed";

    /** What values a parameter takes. */
    public enum Kind { INT, REAL, BOOLEAN, CHOICE, STRING, PATH }

    public ParamSpec(String name, Kind kind, String defaultValue, String description, double min, boolean minOpen,
                     double max, boolean maxOpen, List<String> choices, String pattern, String special) {
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("parameter name '" + name + "' must be lower case letters, digits or '_'");
        }
        this.name = name;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.description = description;
        this.min = min;
        this.minOpen = minOpen;
        this.max = max;
        this.maxOpen = maxOpen;
        this.choices = choices == null ? List.of() : List.copyOf(choices);
        this.pattern = pattern;
        this.special = special;
        // a default outside its own range is the method's bug, caught when it loads
        defaultParsed(1);
    }

    /** An integer in [min, max]. */
    public static ParamSpec integer(String name, int defaultValue, int min, int max, String description) {
        return new ParamSpec(name, Kind.INT, Integer.toString(defaultValue), description, min, false, max, false, null,
                null, null);
    }

    /**
     * An integer in [min, max] whose default is the run's seed ({@code ckl methods} shows the default as
     * "seed"), so that a random factor of the method varies with the run's seed unless it is given.
     */
    public static ParamSpec runSeed(String name, int min, int max, String description) {
        return new ParamSpec(name, Kind.INT, RUN_SEED, description, min, false, max, false, null, null, RUN_SEED);
    }

    /** Whether the default is the run's seed. */
    public boolean followsRunSeed() {
        return kind == Kind.INT && RUN_SEED.equals(special);
    }

    /** A finite real number in [min, max]; use {@link #openBelow}/{@link #openAbove} for open ends. */
    public static ParamSpec real(String name, double defaultValue, double min, double max, String description) {
        return new ParamSpec(name, Kind.REAL, Double.toString(defaultValue), description, min, false, max, false, null,
                null, null);
    }

    public static ParamSpec bool(String name, boolean defaultValue, String description) {
        return new ParamSpec(name, Kind.BOOLEAN, Boolean.toString(defaultValue), description, 0, false, 0, false, null,
                null, null);
    }

    /** One of {@code choices}. */
    public static ParamSpec choice(String name, String defaultValue, List<String> choices, String description) {
        return new ParamSpec(name, Kind.CHOICE, defaultValue, description, 0, false, 0, false, choices, null, null);
    }

    /** A string matching {@code pattern} (a regular expression; null for any string without control characters). */
    public static ParamSpec string(String name, String defaultValue, String pattern, String description) {
        return new ParamSpec(name, Kind.STRING, defaultValue, description, 0, false, 0, false, null, pattern, null);
    }

    /** An existing file or folder, or the word {@code special} (which is then the default). */
    public static ParamSpec path(String name, String special, String description) {
        return new ParamSpec(name, Kind.PATH, special, description, 0, false, 0, false, null, null, special);
    }

    /** The same with the lower end excluded. */
    public ParamSpec openBelow() {
        return new ParamSpec(name, kind, defaultValue, description, min, true, max, maxOpen, choices, pattern, special);
    }

    /** The same with the upper end excluded. */
    public ParamSpec openAbove() {
        return new ParamSpec(name, kind, defaultValue, description, min, minOpen, max, true, choices, pattern, special);
    }

    /**
     * The canonical value of {@code raw}: Integer, Double, Boolean or String (a path made absolute).
     *
     * @throws IllegalArgumentException saying what the parameter takes
     */
    public Object parse(String raw) {
        if (raw == null) {
            throw bad(null);
        }
        String v = raw.strip();
        switch (kind) {
            case INT -> {
                long x;
                try {
                    x = new BigDecimal(v).longValueExact();
                } catch (ArithmeticException | NumberFormatException e) {
                    throw bad(raw);
                }
                if (!inRange(x)) {
                    throw bad(raw);
                }
                return (int) x;
            }
            case REAL -> {
                double x;
                try {
                    x = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw bad(raw);
                }
                if (!Double.isFinite(x) || !inRange(x)) {
                    throw bad(raw);
                }
                return x == 0 ? 0.0 : x; // -0.0 and 0.0 are one value
            }
            case BOOLEAN -> {
                if (!v.equals("true") && !v.equals("false")) {
                    throw bad(raw);
                }
                return Boolean.parseBoolean(v);
            }
            case CHOICE -> {
                if (!choices.contains(v)) {
                    throw bad(raw);
                }
                return v;
            }
            case STRING -> {
                if (v.chars().anyMatch(Character::isISOControl) || (pattern != null && !Pattern.matches(pattern, v))) {
                    throw bad(raw);
                }
                return v;
            }
            case PATH -> {
                if (v.equals(special)) {
                    return v;
                }
                if (v.isEmpty() || v.chars().anyMatch(Character::isISOControl)) {
                    throw bad(raw);
                }
                Path p = Path.of(v).toAbsolutePath().normalize();
                if (!Files.exists(p)) {
                    throw new IllegalArgumentException(name + "=" + raw + ": " + p + " does not exist (" + takes() + ")");
                }
                return p.toString();
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /** The parsed default for a run of seed 1 (the default seed). */
    public Object defaultParsed() {
        return defaultParsed(1);
    }

    /** The parsed default for a run of seed {@code runSeed}. */
    public Object defaultParsed(long runSeed) {
        return parse(followsRunSeed() ? Long.toString(runSeed) : defaultValue);
    }

    private boolean inRange(double x) {
        return (minOpen ? x > min : x >= min) && (maxOpen ? x < max : x <= max);
    }

    /** What the parameter takes, in words: "a number in (0, 1]", "one of sgd, adamw", ... */
    public String takes() {
        return switch (kind) {
            case INT -> "an integer in " + range(true);
            case REAL -> "a number in " + range(false);
            case BOOLEAN -> "true or false";
            case CHOICE -> "one of " + String.join(", ", choices);
            case STRING -> pattern == null ? "text" : "text matching " + pattern;
            case PATH -> "an existing file or folder" + (special == null ? "" : ", or '" + special + "'");
        };
    }

    /** The type as {@code ckl methods} shows it. */
    public String typeLabel() {
        return switch (kind) {
            case INT -> "int " + range(true);
            case REAL -> "real " + range(false);
            case BOOLEAN -> "boolean";
            case CHOICE -> String.join("|", choices);
            case STRING -> "string";
            case PATH -> "path" + (special == null ? "" : "|" + special);
        };
    }

    private String range(boolean integral) {
        return (minOpen ? "(" : "[") + num(min, integral) + ", " + num(max, integral) + (maxOpen ? ")" : "]");
    }

    private static String num(double x, boolean integral) {
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (integral || x == Math.rint(x) && Math.abs(x) < 1e15) {
            return Long.toString((long) x);
        }
        return String.format(Locale.ROOT, "%s", x);
    }

    private IllegalArgumentException bad(String raw) {
        return new IllegalArgumentException(name + "=" + raw + ": expected " + takes());
    }
}
