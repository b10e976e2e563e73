using System.Globalization;
using System.Text;
using Google.Protobuf.Reflection;

namespace Meshwork.Schemas.Protobuf;

/// <summary>
/// Protobuf schemas: <c>.proto</c> text (proto2 or proto3) parsed by protobuf-net's DSL parser, imports resolved
/// from the references by name (and Google's well-known types built in), checked with the Confluent schema
/// registry's rules (<see cref="ProtobufCompatibility"/>).
/// </summary>
public sealed class ProtobufSchemaFormat : ISchemaFormat
{
    /// <summary>The name the schema itself is parsed under; its imports are the references' names.</summary>
    private const string MainFile = "meshwork-registry-candidate.proto";

    public static ProtobufSchemaFormat Instance { get; } = new();

    public string Type => "PROTOBUF";

    /// <summary>Parses the schema; the canonical form is its text without comments, whitespace runs collapsed.</summary>
    public ParsedSchema Parse(string text, IReadOnlyList<SchemaReferenceText> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidSchemaException(Type, "line 1, column 1", "the schema is empty");
        }

        // protobuf-net's parser recurses once per block: a deep one would overflow the stack, which ends the process.
        SchemaNesting.Check(text, Type, SchemaNesting.ProtobufBrackets);
        foreach (var reference in references)
        {
            SchemaNesting.Check(reference.Schema, Type, SchemaNesting.ProtobufBrackets, $" of reference '{reference.Name}'");
        }

        var files = new ReferenceFiles(references);
        var set = new FileDescriptorSet { FileSystem = files };
        set.AddImportPath(string.Empty);
        using (var reader = new StringReader(text))
        {
            set.Add(MainFile, includeInOutput: true, reader);
        }

        set.Process();
        var errors = set.GetErrors().Where(e => e.IsError).ToList();
        if (errors.Count > 0)
        {
            var first = errors[0];
            var reason = first.Message + (errors.Count > 1 ? $" (and {errors.Count - 1} more: {string.Join("; ", errors.Skip(1).Select(e => $"{Where(e)}: {e.Message}"))})" : string.Empty);
            throw new InvalidSchemaException(Type, Where(first), reason);
        }

        var main = set.Files.Single(f => f.Name == MainFile);
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in set.Files)
        {
            // Where a type comes from: the schema itself, a reference (by name and text) or a built-in file.
            origins[file.Name] = file.Name == MainFile ? string.Empty
                : files.Texts.TryGetValue(file.Name, out var referenced) ? file.Name + "\n" + referenced
                : file.Name;
        }

        var model = new ProtoModel(main, set.Files, origins);

        // A chain of messages each with a field of the next nests without nesting the text; the checker follows it.
        var names = new Dictionary<DescriptorProto, string>(ReferenceEqualityComparer.Instance);
        foreach (var message in model.Messages)
        {
            names[message.Message!] = message.FullName;
        }

        SchemaNesting.CheckTypes(Type, "line 1, column 1", names.Keys, model.Uses, m => names.GetValueOrDefault(m));
        return new ProtobufParsedSchema(this, text, Canonical(text), model);
    }

    public IReadOnlyList<SchemaIncompatibility> CanRead(ParsedSchema reader, ParsedSchema writer) =>
        ProtobufCompatibility.CanRead(Unwrap(reader, nameof(reader)), Unwrap(writer, nameof(writer)));

    private static string Where(ProtoBuf.Reflection.Error error) =>
        string.Create(CultureInfo.InvariantCulture, $"line {error.LineNumber}, column {error.ColumnNumber}")
        + (error.File == MainFile || string.IsNullOrEmpty(error.File) ? string.Empty : $" of reference '{error.File}'");

    /// <summary>The text without comments, each whitespace run one space, string literals untouched.</summary>
    internal static string Canonical(string text)
    {
        var result = new StringBuilder(text.Length);
        var pendingSpace = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                pendingSpace = true;
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 1;
                pendingSpace = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
            }
            else
            {
                if (pendingSpace && result.Length > 0)
                {
                    result.Append(' ');
                }

                pendingSpace = false;
                if (c is '"' or '\'')
                {
                    // Copy a string literal as it is, escapes included.
                    var quote = c;
                    result.Append(c);
                    for (i++; i < text.Length; i++)
                    {
                        result.Append(text[i]);
                        if (text[i] == '\\' && i + 1 < text.Length)
                        {
                            result.Append(text[++i]);
                        }
                        else if (text[i] == quote)
                        {
                            break;
                        }
                    }
                }
                else
                {
                    result.Append(c);
                }
            }
        }

        return result.ToString();
    }

    private static ProtobufParsedSchema Unwrap(ParsedSchema schema, string name) =>
        schema as ProtobufParsedSchema ?? throw new ArgumentException($"Not a Protobuf schema: {schema?.Type}.", name);

    /// <summary>The references as files to import, by name.</summary>
    private sealed class ReferenceFiles(IReadOnlyList<SchemaReferenceText> references) : IFileSystem
    {
        public Dictionary<string, string> Texts { get; } = references.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Schema, StringComparer.Ordinal);

        public bool Exists(string path) => Texts.ContainsKey(path);

        public TextReader? OpenText(string path) => Texts.TryGetValue(path, out var text) ? new StringReader(text) : null;
    }
}

/// <summary>A parsed Protobuf schema.</summary>
public sealed class ProtobufParsedSchema : ParsedSchema
{
    internal ProtobufParsedSchema(ProtobufSchemaFormat format, string text, string canonical, ProtoModel model)
        : base(format, text, canonical) => Model = model;

    internal ProtoModel Model { get; }

    /// <summary>The package the schema declares; empty when none.</summary>
    public string Package => Model.Package;

    /// <summary>The full names of the messages the schema itself declares, top-level ones first in order.</summary>
    public IReadOnlyList<string> MessageNames => Model.MessageNames;
}

/// <summary>The schema's file, and every type it can see by full name (without the leading dot).</summary>
internal sealed class ProtoModel
{
    private readonly Dictionary<string, ProtoType> _types = new(StringComparer.Ordinal);
    private readonly HashSet<FieldDescriptorProto> _proto3Fields = new(ReferenceEqualityComparer.Instance);

    public ProtoModel(FileDescriptorProto main, IEnumerable<FileDescriptorProto> files, IReadOnlyDictionary<string, string> origins)
    {
        Main = main;
        Package = main.Package ?? string.Empty;
        foreach (var file in files)
        {
            var package = file.Package ?? string.Empty;
            var origin = origins[file.Name];
            var prefix = package.Length == 0 ? string.Empty : package + ".";
            foreach (var message in file.MessageTypes)
            {
                AddMessage(message, prefix, package, origin, file == main, file.Syntax == "proto3");
            }

            foreach (var enumeration in file.EnumTypes)
            {
                _types[prefix + enumeration.Name] = new ProtoType(prefix + enumeration.Name, package, origin, null, enumeration);
            }
        }
    }

    public FileDescriptorProto Main { get; }

    public string Package { get; }

    public List<string> MessageNames { get; } = [];

    public ProtoType? Find(string typeName) => _types.GetValueOrDefault(typeName.TrimStart('.'));

    /// <summary>Every message type it can see.</summary>
    public IEnumerable<ProtoType> Messages => _types.Values.Where(t => t.Message is not null);

    /// <summary>The message types a message declares inside it or has fields of.</summary>
    public IEnumerable<DescriptorProto?> Uses(DescriptorProto message) => message.NestedTypes.Concat(message.Fields
        .Where(f => f.type is FieldDescriptorProto.Type.TypeMessage or FieldDescriptorProto.Type.TypeGroup)
        .Select(f => Find(f.TypeName)?.Message));

    /// <summary>Whether the field's file is proto3 (where a field without a label has none, rather than optional).</summary>
    public bool IsProto3(FieldDescriptorProto field) => _proto3Fields.Contains(field);

    private void AddMessage(DescriptorProto message, string prefix, string package, string origin, bool own, bool proto3)
    {
        var name = prefix + message.Name;
        _types[name] = new ProtoType(name, package, origin, message, null);
        if (proto3)
        {
            _proto3Fields.UnionWith(message.Fields);
        }

        if (own && message.Options?.MapEntry != true)
        {
            MessageNames.Add(name);
        }

        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, name + ".", package, origin, own, proto3);
        }

        foreach (var enumeration in message.EnumTypes)
        {
            _types[name + "." + enumeration.Name] = new ProtoType(name + "." + enumeration.Name, package, origin, null, enumeration);
        }
    }
}

/// <summary>A message or enum type with its full name, its file's package and where it comes from.</summary>
internal sealed record ProtoType(string FullName, string Package, string Origin, DescriptorProto? Message, EnumDescriptorProto? Enum)
{
    public bool IsMap => Message?.Options?.MapEntry == true;

    /// <summary>The name within its package.</summary>
    public string LocalName => Package.Length > 0 && FullName.StartsWith(Package + ".", StringComparison.Ordinal) ? FullName[(Package.Length + 1)..] : FullName;
}
