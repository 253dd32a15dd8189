package org.cklbench.core.run;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProvenanceTest {
    /**
     * The commit comes from the build, not from running git: compute nodes and containers have no
     * .git. (Where the suite was built outside a repository it is "unknown".)
     */
    @Test
    void theCommitIsTheOneEmbeddedAtBuildTime() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("..", ".git")), "built outside a git repository");
        String commit = Provenance.gitCommit();
        assertThat(commit).matches("[0-9a-f]{40}(-dirty)?");
        assertThat(Provenance.class.getResource("git.properties")).as("read from the classpath").isNotNull();
    }
}
