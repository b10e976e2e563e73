using System.Globalization;

namespace Meshwork.Schemas;

/// <summary>
/// The nesting every schema format accepts: at most <see cref="MaxDepth"/> levels of brackets, checked on the text
/// before any parser sees it. The parsers (Apache.Avro, System.Text.Json, protobuf-net) and the checkers recurse
/// once per level, and a stack overflow cannot be caught in .NET: it ends the process.
/// </summary>
public static class SchemaNesting
{
    /// <summary>
    /// The deepest nesting accepted: JSON objects and arrays (Avro, JSON Schema), braces, brackets, parentheses and
    /// angle brackets (Protobuf). No real schema comes near it.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>JSON's containers (Avro, JSON Schema).</summary>
    internal const string JsonBrackets = "{}[]";

    /// <summary>A .proto file's blocks, options, aggregate values and map types.</summary>
    internal const string ProtobufBrackets = "{}[]()<>";

    /// <summary>
    /// Refuses <paramref name="text"/> when its brackets (pairs in <paramref name="brackets"/>, outside string
    /// literals and <c>//</c> or <c>/* */</c> comments) nest deeper than <see cref="MaxDepth"/>, naming the line and
    /// column of the first bracket past the limit. Unbalanced brackets are left to the parser to report.
    /// </summary>
    /// <param name="text">The schema's text.</param>
    /// <param name="type">The format's name, for the error.</param>
    /// <param name="brackets">Opening and closing brackets, in pairs.</param>
    /// <param name="where">Appended to the location, e.g. <c> of reference 'x'</c>.</param>
    internal static void Check(string text, string type, string brackets, string where = "")
    {
        var depth = 0;
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                lineStart = i + 1;
            }
            else if (c is '"' or '\'')
            {
                // A string literal, escapes included; one that does not close ends at the line's end.
                for (i++; i < text.Length && text[i] != c && text[i] != '\n'; i++)
                {
                    if (text[i] == '\\')
                    {
                        i++;
                    }
                }

                if (i < text.Length && text[i] == '\n')
                {
                    i--;
                }
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i + 1 < text.Length && text[i + 1] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                for (i += 2; i < text.Length && !(text[i] == '*' && i + 1 < text.Length && text[i + 1] == '/'); i++)
                {
                    if (text[i] == '\n')
                    {
                        line++;
                        lineStart = i + 1;
                    }
                }

                i++;
            }
            else if (brackets.IndexOf(c, StringComparison.Ordinal) is var at and >= 0)
            {
                if (at % 2 == 1)
                {
                    depth = Math.Max(0, depth - 1);
                }
                else if (++depth > MaxDepth)
                {
                    var location = string.Create(CultureInfo.InvariantCulture, $"line {line}, column {i - lineStart + 1}") + where;
                    throw new InvalidSchemaException(type, location, $"the schema nests deeper than {MaxDepth} levels");
                }
            }
        }
    }

    /// <summary>
    /// Refuses a parsed schema whose types nest deeper than <see cref="MaxDepth"/>, following named types, <c>$ref</c>s
    /// and message types as the checkers do: a chain of types each using the next nests as deep as inline ones while
    /// its text stays flat. A type that uses one it is inside of (recursion) adds no level. Walked with a stack on
    /// the heap, before any recursive walk of the parsed schema.
    /// </summary>
    /// <param name="type">The format's name, for the error.</param>
    /// <param name="location">Where the error is reported.</param>
    /// <param name="roots">The schema's top types.</param>
    /// <param name="children">The types a type uses directly.</param>
    /// <param name="name">How a type is named in the error, when it has a name.</param>
    internal static void CheckTypes<T>(string type, string location, IEnumerable<T> roots, Func<T, IEnumerable<T?>> children, Func<T, string?> name)
        where T : class
    {
        var depths = new Dictionary<T, int>(ReferenceEqualityComparer.Instance);
        var open = new HashSet<T>(ReferenceEqualityComparer.Instance);
        var path = new Stack<Frame<T>>();
        foreach (var root in roots)
        {
            if (depths.ContainsKey(root))
            {
                continue;
            }

            Enter(root);
            while (path.TryPeek(out var frame))
            {
                if (frame.Children.MoveNext())
                {
                    var child = frame.Children.Current;
                    if (child is null || open.Contains(child))
                    {
                        continue;
                    }

                    if (depths.TryGetValue(child, out var known))
                    {
                        if (path.Count + known > MaxDepth)
                        {
                            throw TooDeep();
                        }

                        frame.Deepest = Math.Max(frame.Deepest, known);
                    }
                    else
                    {
                        Enter(child);
                    }

                    continue;
                }

                path.Pop();
                frame.Children.Dispose();
                open.Remove(frame.Type);
                depths[frame.Type] = frame.Deepest + 1;
                if (path.TryPeek(out var parent))
                {
                    parent.Deepest = Math.Max(parent.Deepest, frame.Deepest + 1);
                }
            }
        }

        void Enter(T node)
        {
            if (path.Count >= MaxDepth)
            {
                throw TooDeep();
            }

            open.Add(node);
            path.Push(new Frame<T>(node, children(node).GetEnumerator()));
        }

        InvalidSchemaException TooDeep()
        {
            var named = path.Reverse().Select(f => name(f.Type)).OfType<string>().Distinct(StringComparer.Ordinal).Take(3).ToList();
            return new InvalidSchemaException(type, location,
                $"the schema nests deeper than {MaxDepth} levels through the types it uses" + (named.Count == 0 ? string.Empty : $" (from {string.Join(" → ", named)} ...)"));
        }
    }

    private sealed class Frame<T>(T type, IEnumerator<T?> children)
    {
        public T Type { get; } = type;

        public IEnumerator<T?> Children { get; } = children;

        public int Deepest { get; set; }
    }
}
