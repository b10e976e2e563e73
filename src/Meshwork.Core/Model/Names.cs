using System.Text.RegularExpressions;

namespace Meshwork.Model;

/// <summary>Naming rules: domain, product and schema object names become SQL identifiers and URL segments.</summary>
public static partial class Names
{
    public static bool IsValid(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>The dataset address <c>domain.product.object_vN</c> (DESIGN.md §2).</summary>
    public static string DatasetAddress(string domain, string product, string objectName, int major) =>
        $"{domain}.{product}.{objectName}_v{major}";

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex NamePattern();
}
