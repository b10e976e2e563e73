using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Meshwork.Schemas;

/// <summary>
/// Turns JSON Schema evaluation output (hierarchical) into the few messages a person needs: only failing
/// branches are followed, <c>if</c> conditions are not errors, of a failed <c>anyOf</c>/<c>oneOf</c> only the
/// branch that was evidently meant is reported, and "unevaluated property" errors are held back while the
/// same object has real errors (they are a consequence of those).
/// </summary>
internal static partial class SchemaErrors
{
    public sealed record Error(string Pointer, string Keyword, string Message);

    public static IReadOnlyList<Error> Summarize(EvaluationResults results)
    {
        var errors = new List<Error>();
        Collect(results, errors);

        var real = errors.Where(e => !IsUnevaluated(e)).ToList();
        var kept = errors
            .Where(e => !IsUnevaluated(e) || !real.Exists(r => r.Pointer == Parent(e.Pointer) || IsWithin(r.Pointer, Parent(e.Pointer))))
            .DistinctBy(e => (e.Pointer, e.Message))
            .ToList();
        return kept;
    }

    private static void Collect(EvaluationResults node, List<Error> errors)
    {
        if (node.IsValid)
        {
            return;
        }

        var pointer = node.InstanceLocation.ToString();
        var evaluationPath = node.EvaluationPath.ToString();
        foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
        {
            errors.AddRange(Describe(pointer, evaluationPath, keyword, message));
        }

        var failing = (node.Details ?? []).Where(d => !d.IsValid && LastSegment(d.EvaluationPath.ToString()) is not ("if" or "not")).ToList();
        foreach (var group in failing.GroupBy(d => BranchGroup(d.EvaluationPath.ToString())))
        {
            if (group.Key is null)
            {
                foreach (var child in group)
                {
                    Collect(child, errors);
                }

                continue;
            }

            // Every branch of an anyOf/oneOf failed: report the branch that was evidently meant.
            var candidates = group.Select(branch =>
            {
                var branchErrors = new List<Error>();
                Collect(branch, branchErrors);
                return branchErrors;
            }).ToList();
            var meant = candidates.Where(c => !c.TrueForAll(e => e.Keyword is "type" or "const" or "enum" && e.Pointer == pointer)).ToList();
            if (meant.Count > 0)
            {
                errors.AddRange(meant.OrderBy(c => c.Count).First());
            }
            else
            {
                var expected = string.Join(", ", candidates.SelectMany(c => c).Select(e => e.Message).Distinct());
                errors.Add(new Error(pointer, "anyOf", $"{Prefix(pointer)}matches none of the allowed forms ({expected})"));
            }
        }
    }

    private static IEnumerable<Error> Describe(string pointer, string evaluationPath, string keyword, string message)
    {
        var last = LastSegment(evaluationPath);
        if (last is "unevaluatedProperties" or "additionalProperties")
        {
            yield return new Error(pointer, last, $"{Prefix(Parent(pointer))}property '{Unescape(LastSegment(pointer))}' is not allowed here");
            yield break;
        }

        if (keyword == "required" && RequiredList().Match(message) is { Success: true } match)
        {
            string[]? names = null;
            try
            {
                names = JsonSerializer.Deserialize<string[]>(match.Groups[1].Value);
            }
            catch (JsonException)
            {
                // Fall through to the library's message.
            }

            if (names is { Length: > 0 })
            {
                foreach (var name in names)
                {
                    yield return new Error(pointer, keyword, Prefix(pointer) + $"required property '{name}' is missing");
                }

                yield break;
            }
        }

        yield return new Error(pointer, keyword, Prefix(pointer) + Soften(message));
    }

    // Only unevaluatedProperties depends on the other subschemas passing; additionalProperties stands on its own.
    private static bool IsUnevaluated(Error e) => e.Keyword is "unevaluatedProperties";

    private static bool IsWithin(string pointer, string ancestor) =>
        pointer.Length > ancestor.Length && pointer.StartsWith(ancestor + "/", StringComparison.Ordinal);

    private static string Parent(string pointer)
    {
        var slash = pointer.LastIndexOf('/');
        return slash <= 0 ? string.Empty : pointer[..slash];
    }

    private static string? BranchGroup(string evaluationPath)
    {
        var segments = evaluationPath.Split('/');
        return segments.Length >= 2 && segments[^2] is "anyOf" or "oneOf" && int.TryParse(segments[^1], CultureInfo.InvariantCulture, out _)
            ? string.Join('/', segments[..^1])
            : null;
    }

    private static string LastSegment(string pointer)
    {
        var slash = pointer.LastIndexOf('/');
        return slash < 0 ? pointer : pointer[(slash + 1)..];
    }

    private static string Unescape(string token) => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    /// <summary>A JSON Pointer as a reader writes a path: <c>schema[0].properties[2].name</c>.</summary>
    public static string Display(string pointer)
    {
        if (pointer.Length == 0)
        {
            return "(document)";
        }

        var builder = new System.Text.StringBuilder();
        foreach (var token in pointer[1..].Split('/'))
        {
            if (int.TryParse(token, CultureInfo.InvariantCulture, out _))
            {
                builder.Append('[').Append(token).Append(']');
            }
            else
            {
                if (builder.Length > 0)
                {
                    builder.Append('.');
                }

                builder.Append(Unescape(token));
            }
        }

        return builder.ToString();
    }

    private static string Prefix(string pointer) => pointer.Length == 0 ? string.Empty : Display(pointer) + ": ";

    private static string Soften(string message) => message.Replace("\\u0022", "'", StringComparison.Ordinal);

    [GeneratedRegex(@"(\[.*\])")]
    private static partial Regex RequiredList();
}
