package org.cklbench.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The modules' layering, checked on the compiled classes of the whole suite: the engine knows nothing
 * of CKL, the site nothing of DJL or of any benchmark's code, the benchmarks nothing of the methods,
 * and no two packages import each other.
 */
class LayeringTest {
    static JavaClasses classes;

    @BeforeAll
    static void importSuite() {
        // main classes only: tests (in test-classes folders and in the engine's test jar) may cross layers
        ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        classes = new ClassFileImporter().withImportOption(mainOnly).importPackages("org.cklbench");
    }

    private static String[] ckl(String... modules) {
        String[] out = new String[modules.length];
        for (int i = 0; i < modules.length; i++) {
            out[i] = "org.cklbench." + modules[i] + "..";
        }
        return out;
    }

    @Test
    void theEngineKnowsNothingOfContinualLearning() {
        noClasses().that().resideInAPackage("org.cklbench.engine..")
                .should().dependOnClassesThat().resideInAnyPackage(ckl("core", "runfolder", "sweeps", "methods", "lamackl",
                        "temporalwiki", "datasets", "site", "cli"))
                .check(classes);
    }

    @Test
    void commonAndTheRunFolderSchemaNeedNoDjl() {
        noClasses().that().resideInAnyPackage("org.cklbench.io..", "org.cklbench.progress..", "org.cklbench.runfolder..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl..", "org.cklbench.engine..", "org.cklbench.core..")
                .check(classes);
        noClasses().that().resideInAnyPackage("org.cklbench.io..", "org.cklbench.progress..")
                .should().dependOnClassesThat().resideInAPackage("org.cklbench.runfolder..")
                .check(classes);
    }

    @Test
    void theSiteReadsRunFoldersOnly() {
        noClasses().that().resideInAPackage("org.cklbench.site..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl..")
                .orShould().dependOnClassesThat().resideInAnyPackage(ckl("engine", "core", "sweeps", "methods", "lamackl",
                        "temporalwiki", "datasets", "cli"))
                .check(classes);
    }

    @Test
    void benchmarkCoreKnowsNoBenchmarkOrMethod() {
        noClasses().that().resideInAPackage("org.cklbench.core..")
                .should().dependOnClassesThat().resideInAnyPackage(ckl("methods", "lamackl", "temporalwiki", "datasets",
                        "sweeps", "site", "cli"))
                .check(classes);
    }

    @Test
    void benchmarksAndMethodsDoNotKnowEachOther() {
        noClasses().that().resideInAnyPackage("org.cklbench.lamackl..", "org.cklbench.temporalwiki..", "org.cklbench.datasets..")
                .should().dependOnClassesThat().resideInAnyPackage(ckl("methods", "sweeps", "site", "cli"))
                .check(classes);
        noClasses().that().resideInAPackage("org.cklbench.methods..")
                .should().dependOnClassesThat().resideInAnyPackage(ckl("lamackl", "temporalwiki", "datasets", "sweeps",
                        "site", "cli"))
                .check(classes);
        noClasses().that().resideInAPackage("org.cklbench.sweeps..")
                .should().dependOnClassesThat().resideInAnyPackage(ckl("methods", "lamackl", "temporalwiki", "datasets",
                        "site", "cli"))
                .check(classes);
    }

    @Test
    void noPackagesImportEachOther() {
        slices().matching("org.cklbench.(*)..").should().beFreeOfCycles().check(classes);
        slices().matching("org.cklbench.core.(*)..").should().beFreeOfCycles().check(classes);
        slices().matching("org.cklbench.engine.(*)..").should().beFreeOfCycles().check(classes);
        slices().matching("org.cklbench.(*).(*)..").should().beFreeOfCycles().check(classes);
    }
}
