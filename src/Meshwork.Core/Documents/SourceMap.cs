using Meshwork.Diagnostics;

namespace Meshwork.Documents;

/// <summary>
/// Where each node of a parsed document sits in its file, keyed by JSON Pointer (RFC 6901), so that
/// findings about the JSON form (schema errors, semantic checks) point at the YAML the user wrote.
/// </summary>
public sealed class SourceMap
{
    // One entry per node: where its value starts and, for a mapping entry, where its key is (0 when none).
    private readonly Dictionary<string, Position> _positions = new(StringComparer.Ordinal);

    public SourceMap(string file) => File = file;

    /// <summary>The file's path relative to the linted folder, with forward slashes.</summary>
    public string File { get; }

    internal void Add(string pointer, int keyLine, int keyColumn, int valueLine, int valueColumn) =>
        _positions.TryAdd(pointer, new Position(keyLine, keyColumn, valueLine, valueColumn));

    /// <summary>
    /// The location of the node at <paramref name="pointer"/>: its key when it is a mapping entry (that is
    /// what a reader looks for), else its value; the nearest existing ancestor when the node does not exist
    /// (a missing required property is reported at the object that lacks it).
    /// </summary>
    public SourceLocation Locate(string pointer)
    {
        var current = pointer;
        while (true)
        {
            if (_positions.TryGetValue(current, out var position))
            {
                return position.KeyLine > 0
                    ? new SourceLocation(File, position.KeyLine, position.KeyColumn)
                    : new SourceLocation(File, position.ValueLine, position.ValueColumn);
            }

            if (current.Length == 0)
            {
                return SourceLocation.StartOf(File);
            }

            var slash = current.LastIndexOf('/');
            current = slash <= 0 ? string.Empty : current[..slash];
        }
    }

    /// <summary>The location of the value (not the key) at <paramref name="pointer"/>.</summary>
    public SourceLocation LocateValue(string pointer) =>
        _positions.TryGetValue(pointer, out var position) ? new SourceLocation(File, position.ValueLine, position.ValueColumn) : Locate(pointer);

    private readonly record struct Position(int KeyLine, int KeyColumn, int ValueLine, int ValueColumn);

    /// <summary>Escapes one reference token of a JSON Pointer.</summary>
    public static string Escape(string token) =>
        token.Contains('~', StringComparison.Ordinal) || token.Contains('/', StringComparison.Ordinal)
            ? token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)
            : token;
}
