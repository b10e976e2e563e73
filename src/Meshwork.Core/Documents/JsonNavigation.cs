using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Meshwork.Documents;

/// <summary>
/// Tolerant reads from a document's JSON form: a missing member or one of the wrong kind reads as absent,
/// because the schema check has already reported it and the model is built from whatever is there.
/// </summary>
internal static class JsonNavigation
{
    public static JsonElement? Member(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    public static string? Str(this JsonElement element, string name) =>
        element.Member(name) is { } value ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        } : null;

    public static bool Bool(this JsonElement element, string name, bool fallback = false) =>
        element.Member(name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : fallback;

    public static int? Int(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var i) ? i : null;

    /// <summary>The items of an array member with their index, or nothing.</summary>
    public static IEnumerable<(int Index, JsonElement Item)> Items(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().Select((item, i) => (i, item)) : [];

    public static ImmutableArray<string> Strings(this JsonElement element, string name) =>
        [.. element.Items(name).Where(x => x.Item.ValueKind == JsonValueKind.String).Select(x => x.Item.GetString()!)];

    /// <summary>A string member or an array of strings as one list (ODCS allows both in places).</summary>
    public static ImmutableArray<string> StringOrStrings(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.String } single ? [single.GetString()!] : element.Strings(name);

    public static ImmutableDictionary<string, JsonElement> Object(this JsonElement element, string name) =>
        element.Member(name) is { ValueKind: JsonValueKind.Object } obj
            ? obj.EnumerateObject().ToImmutableDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)
            : ImmutableDictionary<string, JsonElement>.Empty;

    public static string Pointer(this string parent, string name) => parent + "/" + SourceMap.Escape(name);

    public static string Pointer(this string parent, int index) => parent + "/" + index.ToString(CultureInfo.InvariantCulture);
}
