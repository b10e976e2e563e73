using Meshwork.Diagnostics;

namespace Meshwork.Documents;

/// <summary>
/// Where each node of a parsed document sits in its file, keyed by JSON Pointer (RFC 6901), so that
/// findings about the JSON form (schema errors, semantic checks) point at the YAML the user wrote.
/// </summary>
public sealed class SourceMap
{
    private readonly Dictionary<string, (int Line, int Column)> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Line, int Column)> _keys = new(StringComparer.Ordinal);

    public SourceMap(string file) => File = file;

    /// <summary>The file's path relative to the linted folder, with forward slashes.</summary>
    public string File { get; }

    internal void AddValue(string pointer, int line, int column) => _values.TryAdd(pointer, (line, column));

    internal void AddKey(string pointer, int line, int column) => _keys.TryAdd(pointer, (line, column));

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
            if (_keys.TryGetValue(current, out var key))
            {
                return new SourceLocation(File, key.Line, key.Column);
            }

            if (_values.TryGetValue(current, out var value))
            {
                return new SourceLocation(File, value.Line, value.Column);
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
        _values.TryGetValue(pointer, out var value) ? new SourceLocation(File, value.Line, value.Column) : Locate(pointer);

    /// <summary>Escapes one reference token of a JSON Pointer.</summary>
    public static string Escape(string token) =>
        token.Contains('~', StringComparison.Ordinal) || token.Contains('/', StringComparison.Ordinal)
            ? token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)
            : token;
}
