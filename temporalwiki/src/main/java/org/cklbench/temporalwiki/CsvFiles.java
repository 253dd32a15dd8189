package org.cklbench.temporalwiki;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.cklbench.io.JsonLines;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** CSV files with a header row, as the released TemporalWiki data has them; errors name file and line. */
final class CsvFiles {
    interface RowHandler {
        void accept(CSVRecord row) throws IOException;
    }

    private CsvFiles() {
    }

    /** Each record of {@code file}, after checking the header has {@code columns} and each row as many fields. */
    static void forEach(Path file, List<String> columns, RowHandler handler) throws IOException {
        long line = 1;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (String col : columns) {
                if (!csv.getHeaderMap().containsKey(col)) {
                    throw new IOException(file + ": the CSV header has no '" + col + "' column (has "
                            + csv.getHeaderNames() + ")");
                }
            }
            for (CSVRecord rec : csv) {
                line = rec.getRecordNumber() + 1;
                if (!rec.isConsistent()) {
                    throw new JsonLines.LineException(file, line, rec.size() + " fields, the header has "
                            + csv.getHeaderMap().size());
                }
                handler.accept(rec);
            }
        } catch (CharacterCodingException e) {
            throw notUtf8(file, line, e);
        } catch (UncheckedIOException e) {
            // commons-csv reports read errors met while iterating this way
            if (e.getCause() instanceof CharacterCodingException c) {
                throw notUtf8(file, line + 1, c);
            }
            throw new IOException(file + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static IOException notUtf8(Path file, long record, CharacterCodingException e) {
        return new IOException(file + ": bytes that are not UTF-8 text near record " + record + " (" + e
                + "); save the file as UTF-8", e);
    }
}
