package org.loadperf.examples.csv;

import java.nio.file.Path;
import java.util.List;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;

/**
 * The configuration of the CSV loader, each key declared once with its default and description.
 *
 * @param directory where the files go (created when missing)
 * @param delimiter the field separator, one ASCII character
 * @param header    whether a file starts with a line of column names
 * @param batchSize rows encoded and written at a time; bounds the loader's memory
 * @param nullValue how a null is written
 */
// region config (the README's text, checked by ReadmeSnippetsTest)
record CsvLoaderConfig(Path directory, char delimiter, boolean header, int batchSize, String nullValue) {

    static final ConfigKey<String> DIRECTORY = ConfigKey.string("directory", null,
            "directory of the CSV files, one {table}.csv per table; created when missing").required();
    static final ConfigKey<String> DELIMITER = ConfigKey.string("delimiter", ",",
            "field separator: one ASCII character other than a double quote, CR or LF");
    static final ConfigKey<Boolean> HEADER = ConfigKey.bool("header", true,
            "write a first line of column names (and check it when appending)");
    static final ConfigKey<Integer> BATCH_SIZE = ConfigKey.integer("batch_size", 10_000, 1, 10_000_000,
            "rows encoded and written at a time; the loader's memory is bounded by it");
    static final ConfigKey<String> NULL_VALUE = ConfigKey.string("null_value", "",
            "text written for a null (a string equal to it is quoted, so the two stay apart)");

    static final List<ConfigKey<?>> KEYS = List.of(DIRECTORY, DELIMITER, HEADER, BATCH_SIZE, NULL_VALUE);

    /**
     * Reads and checks {@code config}.
     *
     * @throws LoaderException naming every unknown key and bad value
     */
    static CsvLoaderConfig from(LoaderConfig config) {
        config.validate("CsvLoader", KEYS);
        String delimiter = config.get(DELIMITER);
        if (delimiter.length() != 1 || delimiter.charAt(0) > 127 || "\"\r\n".indexOf(delimiter.charAt(0)) >= 0) {
            throw new LoaderException("Invalid CsvLoader configuration: 'delimiter': must be one ASCII character "
                    + "other than a double quote, CR or LF, got '" + delimiter + "'");
        }
        String nullValue = config.get(NULL_VALUE);
        if (nullValue.indexOf(delimiter.charAt(0)) >= 0 || nullValue.indexOf('"') >= 0 || nullValue.indexOf('\n') >= 0
                || nullValue.indexOf('\r') >= 0) {
            throw new LoaderException("Invalid CsvLoader configuration: 'null_value': must not contain the delimiter,"
                    + " a double quote, CR or LF, got '" + nullValue + "'");
        }
        return new CsvLoaderConfig(Path.of(config.get(DIRECTORY)), delimiter.charAt(0), config.get(HEADER),
                config.get(BATCH_SIZE), nullValue);
    }
}
// endregion
