using System.Reflection;
using Meshwork.Diagnostics;
using Meshwork.Documents;

namespace Meshwork.Linting;

/// <summary>The output formats of <c>mesh lint</c>: text for people, JSON for scripts, SARIF 2.1.0 for code scanning.</summary>
public static class LintReportWriter
{
    public static readonly string[] Formats = ["text", "json", "sarif"];

    public static void Write(LintReport report, string format, TextWriter output)
    {
        switch (format)
        {
            case "json":
                WriteJson(report, output);
                break;
            case "sarif":
                WriteSarif(report, output);
                break;
            default:
                WriteText(report, output);
                break;
        }
    }

    public static void WriteText(LintReport report, TextWriter output)
    {
        foreach (var d in report.Diagnostics)
        {
            output.WriteLine($"{d.File}:{d.Line}:{d.Column}: {Level(d.Severity)} {d.Rule}: {d.Message}");
            if (d.Hint is { Length: > 0 } hint)
            {
                output.WriteLine($"    hint: {hint}");
            }
        }

        output.WriteLine(report.Diagnostics.Count == 0
            ? "No problems found."
            : $"{Count(report.Errors, "error")}, {Count(report.Warnings, "warning")}.");
    }

    public static void WriteJson(LintReport report, TextWriter output)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("diagnostics");
            foreach (var d in report.Diagnostics)
            {
                json.WriteStartObject();
                json.WriteString("file", d.File);
                json.WriteNumber("line", d.Line);
                json.WriteNumber("column", d.Column);
                json.WriteString("severity", Level(d.Severity));
                json.WriteString("rule", d.Rule);
                json.WriteString("message", d.Message);
                json.WriteString("hint", d.Hint ?? string.Empty);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("errors", report.Errors);
            json.WriteNumber("warnings", report.Warnings);
            json.WriteEndObject();
        });
    }

    /// <summary>SARIF 2.1.0 (OASIS): one run, the rule catalogue as the driver's rules, paths relative to SRCROOT.</summary>
    public static void WriteSarif(LintReport report, TextWriter output)
    {
        var rules = Rules.All.ToList();
        var index = rules.Select((r, i) => (r.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        JsonOutput.Write(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();

            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "Meshwork");
            json.WriteString("semanticVersion", ToolVersion());
            json.WriteStartArray("rules");
            foreach (var rule in rules)
            {
                json.WriteStartObject();
                json.WriteString("id", rule.Id);
                json.WriteStartObject("shortDescription");
                json.WriteString("text", rule.Title);
                json.WriteEndObject();
                json.WriteStartObject("help");
                json.WriteString("text", rule.Hint);
                json.WriteEndObject();
                json.WriteStartObject("defaultConfiguration");
                json.WriteString("level", SarifLevel(rule.Severity));
                json.WriteEndObject();
                json.WriteStartObject("properties");
                json.WriteString("category", rule.Category);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject("originalUriBaseIds");
            json.WriteStartObject("SRCROOT");
            json.WriteString("uri", new Uri(Path.TrimEndingDirectorySeparator(report.BaseFolder) + Path.DirectorySeparatorChar).AbsoluteUri);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartArray("results");
            foreach (var d in report.Diagnostics)
            {
                json.WriteStartObject();
                json.WriteString("ruleId", d.Rule);
                if (index.TryGetValue(d.Rule, out var ruleIndex))
                {
                    json.WriteNumber("ruleIndex", ruleIndex);
                }

                json.WriteString("level", SarifLevel(d.Severity));
                json.WriteStartObject("message");
                json.WriteString("text", d.Hint is { Length: > 0 } hint ? $"{d.Message} Hint: {hint}" : d.Message);
                json.WriteEndObject();
                json.WriteStartArray("locations");
                json.WriteStartObject();
                json.WriteStartObject("physicalLocation");
                json.WriteStartObject("artifactLocation");
                json.WriteString("uri", Uri.EscapeDataString(d.File).Replace("%2F", "/", StringComparison.Ordinal));
                json.WriteString("uriBaseId", "SRCROOT");
                json.WriteEndObject();
                json.WriteStartObject("region");
                json.WriteNumber("startLine", d.Line);
                json.WriteNumber("startColumn", d.Column);
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static string Level(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };

    private static string SarifLevel(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string ToolVersion()
    {
        var version = typeof(LintReportWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.1.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
