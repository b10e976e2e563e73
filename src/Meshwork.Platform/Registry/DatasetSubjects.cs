using System.Text.RegularExpressions;

namespace Meshwork.Platform.Registry;

/// <summary>
/// The registry subjects of a published dataset, named as Confluent's TopicNameStrategy names a topic's value
/// schema: <c>&lt;address&gt;-value</c> (Avro) and <c>&lt;address&gt;.json-value</c> (JSON Schema; a subject holds
/// one schema type, so the JSON one is that of a topic named <c>&lt;address&gt;.json</c>).
/// </summary>
public static partial class DatasetSubjects
{
    public static string Avro(string address) => address + "-value";

    public static string Json(string address) => address + ".json-value";

    /// <summary>
    /// The platform's subject <paramref name="subject"/> stands for, when it has the form of a dataset subject
    /// (<c>&lt;domain&gt;.&lt;product&gt;.&lt;object&gt;_vN</c>, optionally <c>.json</c>, then <c>-value</c> or
    /// <c>-key</c>) of a product <paramref name="isProduct"/> knows, whatever the version and whether or not it is
    /// published yet; compared without case, since a name that differs only by case is a look-alike. Null otherwise.
    /// </summary>
    public static PlatformSubject? Reserved(string subject, Func<string, bool> isProduct)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(isProduct);
        var canonical = subject.ToLowerInvariant();
        var match = ReservedForm().Match(canonical);
        if (!match.Success)
        {
            return null;
        }

        var product = match.Groups["domain"].Value + "." + match.Groups["product"].Value;
        return isProduct(product) ? new PlatformSubject(product, canonical, string.Equals(subject, canonical, StringComparison.Ordinal)) : null;
    }

    /// <summary>Names are lowercase (<c>[a-z][a-z0-9_]*</c>), so a dataset subject is too.</summary>
    [GeneratedRegex(@"^(?<domain>[a-z][a-z0-9_]*)\.(?<product>[a-z][a-z0-9_]*)\.[a-z][a-z0-9_]*_v[0-9]+(\.json)?-(value|key)$", RegexOptions.CultureInvariant)]
    private static partial Regex ReservedForm();
}

/// <summary>
/// A subject reserved for the platform: the data product it belongs to, the subject as the platform names it, and
/// whether the name asked for is exactly that (<see cref="IsCanonical"/>) or differs from it by case.
/// </summary>
public sealed record PlatformSubject(string Product, string Canonical, bool IsCanonical);
