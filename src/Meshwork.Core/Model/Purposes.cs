using System.Text.Json;

namespace Meshwork.Model;

/// <summary>
/// Purpose limitation (GDPR Art. 5(1)(b)): the purposes an agreement covers and a product's data may be used for.
/// Purposes compare as words, ignoring case and surrounding space.
/// </summary>
public static class Purposes
{
    /// <summary>The product property listing the purposes its data may be used for (a list, or one comma-separated string).</summary>
    public const string AllowedProperty = "meshwork.allowedPurposes";

    public static bool Same(string? a, string? b) =>
        a is not null && b is not null && string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>The purposes a product's data may be used for; null when it does not say (any purpose), empty when it says none (lint: invalid-purposes).</summary>
    public static IReadOnlyList<string>? AllowedFor(DataProduct product)
    {
        ArgumentNullException.ThrowIfNull(product);
        if (product.CustomProperties.FirstOrDefault(p => p.Property == AllowedProperty) is not { } property)
        {
            return null;
        }

        IEnumerable<string?> values = property.Value.ValueKind switch
        {
            JsonValueKind.Array => property.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : null),
            JsonValueKind.String => property.Value.GetString()!.Split(','),
            _ => [],
        };
        return [.. values.OfType<string>().Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Purposes as a reader sees them listed: 'a', 'b'.</summary>
    public static string List(IEnumerable<string> purposes) => string.Join(", ", purposes.Select(p => $"'{p}'"));
}
