using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Meshwork.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Meshwork.Documents;

/// <summary>
/// Reads a YAML file into its JSON form (YAML 1.2 core schema: quoted scalars stay strings; plain
/// <c>true</c>/<c>false</c>, null, integers and floats are typed) and records where every node came from.
/// Never throws on bad input: every problem becomes a diagnostic and the method returns null.
/// </summary>
public static partial class YamlDocumentReader
{
    /// <summary>Specification files are small; anything larger is almost certainly a mistake.</summary>
    public const long MaxFileBytes = 8 * 1024 * 1024;

    /// <summary>Deeper than any real specification, far below what would exhaust the stack.</summary>
    public const int MaxDepth = 128;

    /// <summary>Nodes after alias expansion; stops "billion laughs" documents.</summary>
    public const int MaxNodes = 1_000_000;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and parses a file. <paramref name="file"/> is the path shown in diagnostics.</summary>
    public static SourceDocument? ReadFile(string fullPath, string file, DiagnosticBag diagnostics)
    {
        string text;
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                var what = Directory.Exists(fullPath) ? "is a folder, not a file" : "does not exist";
                diagnostics.Report(Rules.FileUnreadable, SourceLocation.StartOf(file), $"'{file}' {what}.");
                return null;
            }

            if (info.Length > MaxFileBytes)
            {
                diagnostics.Report(Rules.FileTooLarge, SourceLocation.StartOf(file),
                    $"'{file}' is {info.Length / (1024 * 1024)} MiB; Meshwork reads specification files up to {MaxFileBytes / (1024 * 1024)} MiB.");
                return null;
            }

            var bytes = File.ReadAllBytes(fullPath);
            if (!TryDecode(bytes, out text))
            {
                diagnostics.Report(Rules.FileNotText, SourceLocation.StartOf(file), $"'{file}' is not UTF-8 text (it looks binary).");
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Report(Rules.FileUnreadable, SourceLocation.StartOf(file), $"'{file}' cannot be read: {e.Message}");
            return null;
        }

        return Parse(text, file, fullPath, diagnostics);
    }

    /// <summary>Parses YAML text already in memory.</summary>
    public static SourceDocument? Parse(string text, string file, string fullPath, DiagnosticBag diagnostics)
    {
        var map = new SourceMap(file);
        Node? root;
        try
        {
            root = new TreeBuilder(file, diagnostics).Build(text);
        }
        catch (YamlException e)
        {
            var line = (int)Math.Max(1, e.Start.Line);
            var column = (int)Math.Max(1, e.Start.Column);
            diagnostics.Report(Rules.YamlSyntax, new SourceLocation(file, line, column), $"Invalid YAML: {CleanYamlMessage(e.Message)}");
            return null;
        }
        catch (LimitException e)
        {
            diagnostics.Report(e.Rule, e.Location, e.Message);
            return null;
        }

        if (root is null)
        {
            diagnostics.Report(Rules.EmptyDocument, SourceLocation.StartOf(file), $"'{file}' is empty.");
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = (MaxDepth * 2) + 2 }))
            {
                var nodes = 0;
                Write(writer, root, string.Empty, 0, 0, map, 0, ref nodes, file);
            }
        }
        catch (LimitException e)
        {
            diagnostics.Report(e.Rule, e.Location, e.Message);
            return null;
        }

        // ParseValue copies once into a document that needs no disposal (Parse + Clone would copy twice).
        var reader = new Utf8JsonReader(buffer.WrittenSpan, new JsonReaderOptions { MaxDepth = (MaxDepth * 2) + 2 });
        return new SourceDocument(file, fullPath, JsonElement.ParseValue(ref reader), map);
    }

    private static bool TryDecode(byte[] bytes, out string text)
    {
        text = string.Empty;
        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            return false;
        }

        try
        {
            var span = bytes.AsSpan();
            if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                span = span[3..];
            }

            text = StrictUtf8.GetString(span);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string CleanYamlMessage(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; we report the position ourselves.
        var cleaned = PositionPrefix().Replace(message, string.Empty).Trim();
        return cleaned.Length == 0 ? message : cleaned;
    }

    private static void Write(Utf8JsonWriter writer, Node node, string pointer, int keyLine, int keyColumn, SourceMap map, int depth, ref int nodes, string file)
    {
        if (++nodes > MaxNodes)
        {
            throw new LimitException(Rules.YamlTooLarge, new SourceLocation(file, node.Line, node.Column),
                $"The document expands to more than {MaxNodes:N0} nodes (check anchors and aliases).");
        }

        if (depth > MaxDepth * 2)
        {
            throw new LimitException(Rules.YamlTooDeep, new SourceLocation(file, node.Line, node.Column),
                $"The document nests deeper than {MaxDepth} levels.");
        }

        map.Add(pointer, keyLine, keyColumn, node.Line, node.Column);
        switch (node)
        {
            case MappingNode mapping:
                writer.WriteStartObject();
                foreach (var entry in mapping.Entries)
                {
                    writer.WritePropertyName(entry.Key);
                    Write(writer, entry.Value, pointer + "/" + SourceMap.Escape(entry.Key), entry.KeyLine, entry.KeyColumn, map, depth + 1, ref nodes, file);
                }

                writer.WriteEndObject();
                break;
            case SequenceNode sequence:
                writer.WriteStartArray();
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    Write(writer, sequence.Items[i], pointer + "/" + i.ToString(CultureInfo.InvariantCulture), 0, 0, map, depth + 1, ref nodes, file);
                }

                writer.WriteEndArray();
                break;
            case ScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, ScalarNode scalar)
    {
        var value = scalar.Value;
        var tag = scalar.Tag;
        if (tag is "tag:yaml.org,2002:str" || (!scalar.Plain && tag is null) || tag == "!")
        {
            writer.WriteStringValue(value);
            return;
        }

        if (tag is null or "tag:yaml.org,2002:null" && IsNull(value))
        {
            writer.WriteNullValue();
            return;
        }

        if (tag is null or "tag:yaml.org,2002:bool" && TryBool(value, out var b))
        {
            writer.WriteBooleanValue(b);
            return;
        }

        if (tag is null or "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float" && TryInteger(value, out var integer))
        {
            writer.WriteRawValue(integer.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
            return;
        }

        if (tag is null or "tag:yaml.org,2002:float" && FloatPattern().IsMatch(value)
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            writer.WriteNumberValue(d);
            return;
        }

        // .inf and .nan have no JSON form; unknown tags are kept as text.
        writer.WriteStringValue(value);
    }

    private static bool IsNull(string value) => value is "" or "~" or "null" or "Null" or "NULL";

    private static bool TryBool(string value, out bool result)
    {
        switch (value)
        {
            case "true" or "True" or "TRUE":
                result = true;
                return true;
            case "false" or "False" or "FALSE":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }

    private static bool TryInteger(string value, out BigInteger result)
    {
        result = default;
        if (DecimalIntPattern().IsMatch(value))
        {
            return BigInteger.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
        }

        if (value.StartsWith("0x", StringComparison.Ordinal) && value.Length > 2 && value.AsSpan(2).IndexOfAnyExcept(HexDigits) < 0)
        {
            return BigInteger.TryParse("0" + value[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result);
        }

        if (value.StartsWith("0o", StringComparison.Ordinal) && value.Length is > 2 and < 24 && value.AsSpan(2).IndexOfAnyExceptInRange('0', '7') < 0)
        {
            result = value[2..].Aggregate(BigInteger.Zero, (acc, c) => (acc * 8) + (c - '0'));
            return true;
        }

        return false;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalIntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex PositionPrefix();

    private abstract class Node(int line, int column)
    {
        public int Line { get; } = line;

        public int Column { get; } = column;
    }

    private sealed class ScalarNode(int line, int column, string value, bool plain, string? tag) : Node(line, column)
    {
        public string Value { get; } = value;

        public bool Plain { get; } = plain;

        public string? Tag { get; } = tag;
    }

    private sealed class SequenceNode(int line, int column) : Node(line, column)
    {
        public List<Node> Items { get; } = [];
    }

    private sealed class MappingNode(int line, int column) : Node(line, column)
    {
        public List<Entry> Entries { get; } = [];

        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

        /// <summary>Keys that came from a merge (&lt;&lt;) and may still be overridden by an explicit key.</summary>
        public HashSet<string> Merged { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Entry(string Key, int KeyLine, int KeyColumn, Node Value);

    private sealed class LimitException(DiagnosticRule rule, SourceLocation location, string message) : Exception(message)
    {
        public DiagnosticRule Rule { get; } = rule;

        public SourceLocation Location { get; } = location;
    }

    /// <summary>Builds the node tree from the parser's events without recursion, so depth is bounded by our limit, not the stack.</summary>
    private sealed class TreeBuilder(string file, DiagnosticBag diagnostics)
    {
        private readonly Dictionary<string, Node> _anchors = new(StringComparer.Ordinal);

        public Node? Build(string text)
        {
            var parser = new Parser(new StringReader(text));
            var stack = new Stack<Frame>();
            Node? root = null;
            var documents = 0;

            while (MoveNext(parser, stack))
            {
                var current = parser.Current!;
                switch (current)
                {
                    case DocumentStart:
                        documents++;
                        if (documents == 2)
                        {
                            diagnostics.Report(Rules.YamlUnsupported, At(current.Start),
                                "The file holds more than one YAML document; only the first is read.", "Split the documents into separate files.");
                        }

                        break;
                    case Scalar scalar when documents == 1:
                        Add(stack, ref root, Register(scalar, new ScalarNode(Line(scalar.Start), Column(scalar.Start), scalar.Value,
                            scalar.Style == ScalarStyle.Plain, scalar.Tag.IsEmpty ? null : scalar.Tag.Value)), scalar);
                        break;
                    case AnchorAlias alias when documents == 1:
                        if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            throw new YamlException(alias.Start, alias.End, $"The alias *{alias.Value.Value} refers to no anchor defined before it.");
                        }

                        Add(stack, ref root, target, alias);
                        break;
                    case SequenceStart start when documents == 1:
                        Push(stack, Register(start, new SequenceNode(Line(start.Start), Column(start.Start))), start);
                        break;
                    case MappingStart start when documents == 1:
                        Push(stack, Register(start, new MappingNode(Line(start.Start), Column(start.Start))), start);
                        break;
                    case SequenceEnd or MappingEnd when documents == 1:
                        var done = stack.Pop();
                        Add(stack, ref root, done.Node, current);
                        break;
                }
            }

            return root;
        }

        /// <summary>
        /// YamlDotNet throws InvalidOperationException (not YamlException) on some malformed input, e.g. a flow
        /// collection left open at the end; report it at the collection that was never closed.
        /// </summary>
        private bool MoveNext(Parser parser, Stack<Frame> stack)
        {
            try
            {
                return parser.MoveNext();
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
            {
                var open = stack.Count > 0 ? stack.Peek().Node : null;
                throw new LimitException(Rules.YamlSyntax, open is null ? new SourceLocation(file, 1, 1) : new SourceLocation(file, open.Line, open.Column),
                    "Invalid YAML: this collection is never closed (a missing ']' or '}' or an unclosed quote?).");
            }
        }

        private Node Register(NodeEvent e, Node node)
        {
            if (!e.Anchor.IsEmpty)
            {
                _anchors[e.Anchor.Value] = node;
            }

            return node;
        }

        private void Push(Stack<Frame> stack, Node node, ParsingEvent e)
        {
            if (stack.Count >= MaxDepth)
            {
                throw new LimitException(Rules.YamlTooDeep, At(e.Start), $"The document nests deeper than {MaxDepth} levels.");
            }

            stack.Push(new Frame(node));
        }

        private void Add(Stack<Frame> stack, ref Node? root, Node node, ParsingEvent e)
        {
            if (stack.Count == 0)
            {
                root = node;
                return;
            }

            var frame = stack.Peek();
            switch (frame.Node)
            {
                case SequenceNode sequence:
                    sequence.Items.Add(node);
                    break;
                case MappingNode mapping when frame.PendingKey is null:
                    if (node is not ScalarNode key)
                    {
                        throw new LimitException(Rules.YamlUnsupported, At(e.Start), "A mapping key is not a scalar; JSON has only string keys.");
                    }

                    frame.PendingKey = key;
                    break;
                case MappingNode mapping:
                    var pending = frame.PendingKey!;
                    frame.PendingKey = null;
                    if (pending is { Plain: true, Value: "<<" })
                    {
                        Merge(mapping, node, e);
                    }
                    else if (mapping.Merged.Remove(pending.Value))
                    {
                        mapping.Entries.RemoveAll(entry => entry.Key == pending.Value);
                        mapping.Entries.Add(new Entry(pending.Value, pending.Line, pending.Column, node));
                    }
                    else if (!mapping.Keys.Add(pending.Value))
                    {
                        diagnostics.Report(Rules.YamlDuplicateKey, new SourceLocation(file, pending.Line, pending.Column),
                            $"The key '{pending.Value}' appears twice in this mapping; the first one is used.");
                    }
                    else
                    {
                        mapping.Entries.Add(new Entry(pending.Value, pending.Line, pending.Column, node));
                    }

                    break;
            }
        }

        // YAML merge keys (<<: *defaults): explicit keys of the mapping win over merged ones.
        private void Merge(MappingNode mapping, Node source, ParsingEvent e)
        {
            IEnumerable<Node> sources = source is SequenceNode list ? list.Items : [source];
            foreach (var item in sources)
            {
                if (item is not MappingNode from)
                {
                    throw new LimitException(Rules.YamlUnsupported, At(e.Start), "A merge key (<<) must refer to a mapping or a list of mappings.");
                }

                foreach (var entry in from.Entries.Where(entry => mapping.Keys.Add(entry.Key)))
                {
                    mapping.Entries.Add(entry);
                    mapping.Merged.Add(entry.Key);
                }
            }
        }

        private SourceLocation At(Mark mark) => new(file, Line(mark), Column(mark));

        private static int Line(Mark mark) => (int)Math.Max(1, mark.Line);

        private static int Column(Mark mark) => (int)Math.Max(1, mark.Column);

        private sealed class Frame(Node node)
        {
            public Node Node { get; } = node;

            public ScalarNode? PendingKey { get; set; }
        }
    }
}
