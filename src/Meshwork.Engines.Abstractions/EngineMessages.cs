using System.Text;
using System.Text.RegularExpressions;

namespace Meshwork.Engines;

/// <summary>
/// Engine error texts made safe to store and to show anyone. Engines quote row values in their errors: conversion
/// errors name the value that failed, and DuckDB's CSV errors repeat the whole raw line (emails, phones) — text a
/// mask or row filter hides from most readers. Every engine message that is stored (run failures, check results,
/// audit) or served (problem details, the run list, CLI output) goes through <see cref="Redact"/>.
/// </summary>
public static partial class EngineMessages
{
    /// <summary>What stands where a value was.</summary>
    public const string Hidden = "…";

    /// <summary>
    /// The message without the values it quotes, still saying where (file, line, column) and why. Only the
    /// message's first line and the known lines of a CSV error are kept: a raw row may span several lines (a
    /// quoted value with a line break), so any other line could be part of it. On a kept line, quoted text and
    /// the values of known templates become <see cref="Hidden"/>; a quote left unpaired cuts the rest of the line.
    /// Redacting twice changes nothing.
    /// </summary>
    public static string Redact(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var lines = message.ReplaceLineEndings("\n").Split('\n');
        var head = lines[0];
        var rest = 1;
        // DuckDB.NET reports an error met while streaming as this line, with the engine's own error on the next.
        var streaming = head.IndexOf(StreamingFailure, StringComparison.Ordinal);
        if (streaming >= 0 && lines.Length > 1 && lines[1].StartsWith("Error: ", StringComparison.Ordinal))
        {
            head = head[..streaming] + lines[1]["Error: ".Length..];
            rest = 2;
        }

        var redacted = new StringBuilder(Values(head));
        if (CsvLine().IsMatch(head))
        {
            // After the raw line come DuckDB's own lines: the reason, fixes, and the reader's options with the file.
            // Searched from the end, so a raw line that happens to look like one of them is never taken for it.
            var tail = lines[rest..];
            if (Array.FindLast(tail, l => CsvFile().IsMatch(l)) is { } file)
            {
                redacted.Append(" in ").Append(Values(CsvFile().Match(file).Groups["file"].Value));
            }

            if (Array.FindLast(tail, l => CsvReason().IsMatch(l)) is { } reason)
            {
                var match = CsvReason().Match(reason);
                redacted.Append(": ").Append(match.Groups["column"].Success
                    ? $"error when converting column \"{match.Groups["column"].Value}\" to {match.Groups["type"].Value}"
                    : reason.TrimEnd('.'));
            }
        }

        return redacted.ToString();
    }

    /// <summary>One line without the values it quotes.</summary>
    private static string Values(string line)
    {
        // Templates whose value may hold anything, quotes included: the value runs to the template's last anchor.
        line = ValueTemplate().Replace(line, m => $"{m.Groups["before"].Value}'{Hidden}'{m.Groups["after"].Value}");
        // Quoted text is a value unless it is a column's name (DuckDB quotes those after "column").
        line = Quoted().Replace(line, m => m.Groups["column"].Success ? m.Value : $"{m.Value[0]}{Hidden}{m.Value[0]}");
        // A quote left over was not paired: what follows it may be part of a value.
        foreach (Match kept in Kept().Matches(line))
        {
            if (kept.Groups["unpaired"].Success)
            {
                return line[..kept.Index] + Hidden;
            }
        }

        return line;
    }

    private const string StreamingFailure = "Invalid Input Error: Attempting to execute an unsuccessful or closed pending query result";

    [GeneratedRegex(@"CSV Error on Line: \d+")]
    private static partial Regex CsvLine();

    [GeneratedRegex(@"^\s*file = (?<file>.+)$")]
    private static partial Regex CsvFile();

    [GeneratedRegex(@"^(?:Expected Number of Columns: \d+ Found: \d+|Value with unterminated quote found\.|Invalid unicode \(byte sequence mismatch\) detected\.?"
        + @"|Maximum line size of \d+ bytes exceeded\..*|Error when converting column ""(?<column>[A-Za-z_][A-Za-z0-9_ ]{0,127})""\. Could not convert string .* to '(?<type>[A-Z0-9(), ]+)')$")]
    private static partial Regex CsvReason();

    // Greedy: a value that contains the anchor makes more text hidden, never less.
    [GeneratedRegex(@"(?<before>Could not convert string )(?<value>.*)(?<after> to (?=['A-Z]))|(?<before>field format: )(?<value>.*)(?<after>, expected format)"
        + @"|(?<before>Could not parse string )(?<value>.*)(?<after> according to format)|(?<before>with value )(?<value>.*)(?<after> can't be cast)"
        + @"|(?<before>Duplicate key )(?<value>.*)(?<after> violates)|(?<before>Input: |Original Line: )(?<value>.+)(?<after>)$")]
    private static partial Regex ValueTemplate();

    // An apostrophe inside a word (can't, it's) is not a quote.
    [GeneratedRegex(@"(?<=column )""(?<column>[A-Za-z_][A-Za-z0-9_ ]{0,127})""|(?<![A-Za-z])'(?:[^'\n]|(?<=[A-Za-z])'(?=[A-Za-z]))*'(?![A-Za-z])|""[^""\n]*""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"'…'|""…""|(?<=column )""[A-Za-z_][A-Za-z0-9_ ]{0,127}""|(?<unpaired>(?<![A-Za-z])'|'(?![A-Za-z])|"")")]
    private static partial Regex Kept();
}
