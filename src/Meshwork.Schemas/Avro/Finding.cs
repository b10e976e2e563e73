using System.Text;

namespace Meshwork.Schemas.Avro;

/// <summary>
/// An incompatibility found for one (reader, writer) pair, located relative to that pair's reader node, so
/// that a memoized result can be placed under whichever path reaches the pair again.
/// </summary>
/// <param name="Kind">One of <see cref="SchemaIncompatibilityKinds"/>.</param>
/// <param name="Message">What is wrong, without the field trail.</param>
/// <param name="Pointer">JSON pointer tokens from the pair's reader node down to the problem, outermost first.</param>
/// <param name="Fields">Names of the reader fields passed on the way, outermost first.</param>
internal sealed record Finding(string Kind, string Message, PathNode? Pointer, PathNode? Fields)
{
    public static Finding At(string kind, string message, params string[] pointer)
    {
        PathNode? path = null;
        for (var i = pointer.Length - 1; i >= 0; i--)
        {
            path = new PathNode(pointer[i], path);
        }

        return new Finding(kind, message, path, null);
    }

    /// <summary>This finding seen from a parent node: <paramref name="tokens"/> lead from the parent to this node.</summary>
    public Finding Under(string? fieldName, params string[] tokens)
    {
        var pointer = Pointer;
        for (var i = tokens.Length - 1; i >= 0; i--)
        {
            pointer = new PathNode(tokens[i], pointer);
        }

        var fields = fieldName is null ? Fields : new PathNode(fieldName, Fields);
        return this with { Pointer = pointer, Fields = fields };
    }

    public SchemaIncompatibility ToIncompatibility()
    {
        var location = new StringBuilder();
        for (var node = Pointer; node is not null; node = node.Next)
        {
            location.Append('/').Append(node.Token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
        }

        if (location.Length == 0)
        {
            location.Append('/');
        }

        if (Fields is null)
        {
            return new SchemaIncompatibility(Kind, location.ToString(), Message);
        }

        var trail = new StringBuilder();
        for (var node = Fields; node is not null; node = node.Next)
        {
            if (trail.Length > 0)
            {
                trail.Append('.');
            }

            trail.Append(node.Token);
        }

        return new SchemaIncompatibility(Kind, location.ToString(), $"Field '{trail}': {Message}");
    }
}

/// <summary>An immutable list of path tokens; prepending shares the tail.</summary>
internal sealed record PathNode(string Token, PathNode? Next);
