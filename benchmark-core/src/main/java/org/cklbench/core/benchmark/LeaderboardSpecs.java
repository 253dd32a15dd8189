package org.cklbench.core.benchmark;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.cklbench.runfolder.LeaderboardSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads a benchmark's leaderboard spec from a JSON resource (comments allowed) and checks it. */
public final class LeaderboardSpecs {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();

    private LeaderboardSpecs() {
    }

    public static LeaderboardSpec fromResource(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(owner.getName() + ": resource " + name + " is missing");
            }
            return JSON.readValue(in, LeaderboardSpec.class).validated();
        } catch (IOException e) {
            throw new UncheckedIOException(owner.getName() + ": resource " + name + " is not a leaderboard spec: "
                    + e.getMessage(), e);
        }
    }
}
