using System.Globalization;
using Google.Protobuf.Reflection;
using static Meshwork.Schemas.Protobuf.ProtobufDifferenceKinds;

namespace Meshwork.Schemas.Protobuf;

/// <summary>
/// Compares an original (writer) Protobuf schema with an update (reader) the way the Confluent schema registry's
/// Protobuf <c>SchemaDiff</c> does: messages and enums matched by name, fields by number, scalar types by wire
/// encoding group, oneof membership by where each field came from.
/// </summary>
internal static class ProtobufDiff
{
    public static List<Change> Compare(ProtoModel original, ProtoModel update)
    {
        var context = new ProtoContext(original, update, []);
        if (!string.Equals(original.Package, update.Package, StringComparison.Ordinal))
        {
            context.Add(PackageChanged);
        }

        CompareTypes(context, original.Main.MessageTypes, original.Main.EnumTypes, update.Main.MessageTypes, update.Main.EnumTypes);
        return context.Changes;
    }

    private static void CompareTypes(ProtoContext context, List<DescriptorProto> originalMessages, List<EnumDescriptorProto> originalEnums,
        List<DescriptorProto> updateMessages, List<EnumDescriptorProto> updateEnums)
    {
        // Map entries are how the descriptors spell map fields; those are compared as fields.
        var before = originalMessages.Where(m => m.Options?.MapEntry != true).ToList();
        var after = updateMessages.Where(m => m.Options?.MapEntry != true).ToList();
        foreach (var name in before.Select(m => m.Name).Concat(after.Select(m => m.Name)).Distinct(StringComparer.Ordinal))
        {
            using var scope = context.Enter(name);
            var originalIndex = before.FindIndex(m => m.Name == name);
            var updateIndex = after.FindIndex(m => m.Name == name);
            if (updateIndex < 0)
            {
                context.Add(MessageRemoved);
            }
            else if (originalIndex < 0)
            {
                context.Add(MessageAdded);
            }
            else
            {
                CompareMessages(context, before[originalIndex], after[updateIndex]);
                if (originalIndex != updateIndex)
                {
                    context.Add(MessageMoved);
                }
            }
        }

        foreach (var name in originalEnums.Select(e => e.Name).Concat(updateEnums.Select(e => e.Name)).Distinct(StringComparer.Ordinal))
        {
            using var scope = context.Enter(name);
            var original = originalEnums.Find(e => e.Name == name);
            var update = updateEnums.Find(e => e.Name == name);
            if (update is null)
            {
                context.Add(EnumRemoved);
            }
            else if (original is null)
            {
                context.Add(EnumAdded);
            }
            else
            {
                CompareEnums(context, original, update);
            }
        }
    }

    private static void CompareEnums(ProtoContext context, EnumDescriptorProto original, EnumDescriptorProto update)
    {
        var before = original.Values.GroupBy(v => v.Number).ToDictionary(g => g.Key, g => g.First().Name);
        var after = update.Values.GroupBy(v => v.Number).ToDictionary(g => g.Key, g => g.First().Name);
        foreach (var number in before.Keys.Union(after.Keys).Order())
        {
            var token = number.ToString(CultureInfo.InvariantCulture);
            if (!after.TryGetValue(number, out var name))
            {
                context.Add(token, EnumConstRemoved);
            }
            else if (!before.TryGetValue(number, out var was))
            {
                context.Add(token, EnumConstAdded);
            }
            else if (was != name)
            {
                context.Add(token, EnumConstChanged);
            }
        }
    }

    private static void CompareMessages(ProtoContext context, DescriptorProto original, DescriptorProto update)
    {
        // A message met again while it is being compared (a recursive type) is not compared again.
        if (context.EnterSchema(original))
        {
            try
            {
                CompareFields(context, original, update);
                CompareTypes(context, original.NestedTypes, original.EnumTypes, update.NestedTypes, update.EnumTypes);
            }
            finally
            {
                context.ExitSchema(original);
            }
        }
    }

    private static void CompareFields(ProtoContext context, DescriptorProto original, DescriptorProto update)
    {
        // Fields by number across the whole message, whatever oneof they sit in, so that moving a field in or out of
        // a oneof cannot hide a change of its type or its removal.
        var before = Fields.Of(original);
        var after = Fields.Of(update);

        // A oneof gone by name with none of its members left anywhere was deleted whole, which old readers survive.
        var deletedOneofs = before.Oneofs.Keys
            .Where(name => !after.Oneofs.ContainsKey(name) && before.Oneofs[name].TrueForAll(f => !after.ByNumber.ContainsKey(f.Number)))
            .ToHashSet(StringComparer.Ordinal);

        // Fields that could be set together before and now share a oneof lose values.
        foreach (var (name, members) in after.Oneofs)
        {
            using var scope = context.Enter(name);
            var groups = new HashSet<string>(StringComparer.Ordinal);
            var movedIn = 0;
            foreach (var member in members)
            {
                if (before.OneofOf.TryGetValue(member.Number, out var oneof))
                {
                    groups.Add("oneof:" + oneof);
                }
                else if (before.ByNumber.ContainsKey(member.Number))
                {
                    groups.Add("field:" + member.Number.ToString(CultureInfo.InvariantCulture));
                    movedIn++;
                }
            }

            if (groups.Count > 1)
            {
                context.Add(movedIn > 1 ? MultipleFieldsMovedToOneof : FieldMovedToExistingOneof);
            }
        }

        foreach (var name in before.Oneofs.Keys.Union(after.Oneofs.Keys).Order(StringComparer.Ordinal))
        {
            if (!after.Oneofs.ContainsKey(name))
            {
                context.Add(name, OneofRemoved);
            }
            else if (!before.Oneofs.ContainsKey(name))
            {
                context.Add(name, OneofAdded);
            }
        }

        foreach (var number in before.ByNumber.Keys.Union(after.ByNumber.Keys).Order())
        {
            var token = number.ToString(CultureInfo.InvariantCulture);
            before.ByNumber.TryGetValue(number, out var was);
            after.ByNumber.TryGetValue(number, out var now);
            before.OneofOf.TryGetValue(number, out var wasIn);
            after.OneofOf.TryGetValue(number, out var nowIn);
            if (now is null)
            {
                if (wasIn is not null)
                {
                    if (!deletedOneofs.Contains(wasIn))
                    {
                        context.Add([wasIn, token], OneofFieldRemoved);
                    }
                }
                else
                {
                    context.Add([token], was!.label == FieldDescriptorProto.Label.LabelRequired ? RequiredFieldRemoved : FieldRemoved);
                }
            }
            else if (was is null)
            {
                if (nowIn is not null)
                {
                    context.Add([nowIn, token], OneofFieldAdded);
                }
                else
                {
                    context.Add([token], now.label == FieldDescriptorProto.Label.LabelRequired ? RequiredFieldAdded : FieldAdded);
                }
            }
            else
            {
                if (wasIn is not null && nowIn is null)
                {
                    context.Add([token], OneofFieldMovedToTopLevel);
                }

                using var scope = nowIn is null ? context.Enter(token) : context.Enter(nowIn, token);
                CompareField(context, was, before.LabelOf(was, context.Original), now, after.LabelOf(now, context.Update));
            }
        }
    }

    private static void CompareField(ProtoContext context, FieldDescriptorProto original, string? originalLabel, FieldDescriptorProto update, string? updateLabel)
    {
        if (original.Name != update.Name)
        {
            context.Add(FieldNameChanged);
        }

        CompareTypes(context, originalLabel, FieldType.Of(original, context.Original), updateLabel, FieldType.Of(update, context.Update));
    }

    private static void CompareTypes(ProtoContext context, string? originalLabel, FieldType original, string? updateLabel, FieldType update)
    {
        if (original.Kind != update.Kind)
        {
            context.Add(FieldKindChanged);
            return;
        }

        switch (original.Kind)
        {
            case FieldKind.Scalar:
                var group = original.ScalarGroup;
                if (group != update.ScalarGroup)
                {
                    context.Add(FieldScalarKindChanged);
                }
                else if (originalLabel is not null && updateLabel is not null && originalLabel != updateLabel)
                {
                    // Repeated numbers are packed; a label change changes the encoding. Strings and bytes are never packed.
                    context.Add(group == ScalarGroup.StringOrBytes ? FieldStringOrBytesLabelChanged : FieldNumericLabelChanged);
                }

                break;
            case FieldKind.Message:
                CompareMessageTypes(context, original.Type!, update.Type!);
                break;
            default:
                CompareTypes(context, null, original.Key!, null, update.Key!);
                CompareTypes(context, null, original.Value!, null, update.Value!);
                break;
        }
    }

    private static void CompareMessageTypes(ProtoContext context, ProtoType original, ProtoType update)
    {
        if (original.LocalName != update.LocalName)
        {
            context.Add(FieldNamedTypeChanged);
            return;
        }

        // Types of the schema itself are compared where they are declared; the same reference on both sides is the same type.
        if (original.Origin == update.Origin || original.Message is null || update.Message is null)
        {
            return;
        }

        var named = context.Named(original.LocalName);
        CompareMessages(named, original.Message, update.Message);
        context.AddAll(named.Changes);
        if (!named.IsCompatible)
        {
            context.Add(FieldNamedTypeChanged);
        }
    }

    /// <summary>A message's fields by number, its real oneofs (not proto3 <c>optional</c>'s synthetic ones) and their members.</summary>
    private sealed class Fields
    {
        public Dictionary<int, FieldDescriptorProto> ByNumber { get; } = [];

        public Dictionary<int, string> OneofOf { get; } = [];

        public Dictionary<string, List<FieldDescriptorProto>> Oneofs { get; } = new(StringComparer.Ordinal);

        private HashSet<FieldDescriptorProto> InOneof { get; } = new(ReferenceEqualityComparer.Instance);

        public static Fields Of(DescriptorProto message)
        {
            var fields = new Fields();
            for (var index = 0; index < message.OneofDecls.Count; index++)
            {
                var members = message.Fields.Where(f => f.ShouldSerializeOneofIndex() && f.OneofIndex == index).ToList();
                if (members.Count > 0 && !members.TrueForAll(f => f.Proto3Optional))
                {
                    fields.Oneofs[message.OneofDecls[index].Name] = members;
                }
            }

            foreach (var field in message.Fields)
            {
                fields.ByNumber.TryAdd(field.Number, field);
            }

            foreach (var (name, members) in fields.Oneofs)
            {
                foreach (var member in members)
                {
                    fields.OneofOf[member.Number] = name;
                    fields.InOneof.Add(member);
                }
            }

            return fields;
        }

        /// <summary>
        /// The label as the .proto text says it: none for proto3 fields without one, oneof members and maps;
        /// else optional, required or repeated.
        /// </summary>
        public string? LabelOf(FieldDescriptorProto field, ProtoModel model)
        {
            if (InOneof.Contains(field) || FieldType.Of(field, model).Kind == FieldKind.Map)
            {
                return null;
            }

            return field.label switch
            {
                FieldDescriptorProto.Label.LabelRepeated => "repeated",
                FieldDescriptorProto.Label.LabelRequired => "required",
                _ => model.IsProto3(field) && !field.Proto3Optional ? null : "optional",
            };
        }
    }
}

internal enum FieldKind
{
    Scalar,
    Message,
    Map,
}

/// <summary>The wire-compatible groups of scalar types (enums encode as varints).</summary>
internal enum ScalarGroup
{
    None,
    GeneralNumber,
    SignedNumber,
    StringOrBytes,
    Fixed32,
    Fixed64,
    Float,
    Double,
}

/// <summary>A field's type: a scalar (or enum) of a group, a message type, or a map of two field types.</summary>
internal sealed record FieldType(FieldKind Kind, ScalarGroup ScalarGroup, ProtoType? Type, FieldType? Key, FieldType? Value)
{
    public static FieldType Of(FieldDescriptorProto field, ProtoModel model)
    {
        switch (field.type)
        {
            case FieldDescriptorProto.Type.TypeMessage or FieldDescriptorProto.Type.TypeGroup:
                var type = model.Find(field.TypeName) ?? throw new InvalidOperationException($"Type {field.TypeName} of field {field.Name} was not resolved.");
                if (type.IsMap)
                {
                    var entry = type.Message!.Fields;
                    return new FieldType(FieldKind.Map, ScalarGroup.None, type, Of(entry.Single(f => f.Number == 1), model), Of(entry.Single(f => f.Number == 2), model));
                }

                return new FieldType(FieldKind.Message, ScalarGroup.None, type, null, null);
            default:
                return new FieldType(FieldKind.Scalar, Group(field.type), null, null, null);
        }
    }

    private static ScalarGroup Group(FieldDescriptorProto.Type type) => type switch
    {
        FieldDescriptorProto.Type.TypeInt32 or FieldDescriptorProto.Type.TypeInt64 or FieldDescriptorProto.Type.TypeUint32
            or FieldDescriptorProto.Type.TypeUint64 or FieldDescriptorProto.Type.TypeBool or FieldDescriptorProto.Type.TypeEnum => ScalarGroup.GeneralNumber,
        FieldDescriptorProto.Type.TypeSint32 or FieldDescriptorProto.Type.TypeSint64 => ScalarGroup.SignedNumber,
        FieldDescriptorProto.Type.TypeString or FieldDescriptorProto.Type.TypeBytes => ScalarGroup.StringOrBytes,
        FieldDescriptorProto.Type.TypeFixed32 or FieldDescriptorProto.Type.TypeSfixed32 => ScalarGroup.Fixed32,
        FieldDescriptorProto.Type.TypeFixed64 or FieldDescriptorProto.Type.TypeSfixed64 => ScalarGroup.Fixed64,
        FieldDescriptorProto.Type.TypeFloat => ScalarGroup.Float,
        FieldDescriptorProto.Type.TypeDouble => ScalarGroup.Double,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a scalar type."),
    };
}

/// <summary>The state of one Protobuf comparison: both schemas, the path, the changes, the messages being compared.</summary>
internal sealed class ProtoContext(ProtoModel original, ProtoModel update, List<string> path)
{
    private readonly HashSet<DescriptorProto> _inProgress = new(ReferenceEqualityComparer.Instance);

    public ProtoModel Original { get; } = original;

    public ProtoModel Update { get; } = update;

    public List<Change> Changes { get; } = [];

    public bool IsCompatible => Changes.TrueForAll(c => ProtobufDifferenceKinds.IsCompatible(c.Kind));

    /// <summary>A context for comparing a named type declared elsewhere, at that type's own path.</summary>
    public ProtoContext Named(string localName)
    {
        var named = new ProtoContext(Original, Update, [.. localName.Split('.')]);
        named._inProgress.UnionWith(_inProgress);
        return named;
    }

    public bool EnterSchema(DescriptorProto message) => _inProgress.Add(message);

    public void ExitSchema(DescriptorProto message) => _inProgress.Remove(message);

    public void Add(string kind) => Changes.Add(new Change(kind, PathText([])));

    public void Add(string token, string kind) => Changes.Add(new Change(kind, PathText([token])));

    public void Add(string[] tokens, string kind) => Changes.Add(new Change(kind, PathText(tokens)));

    public void AddAll(IEnumerable<Change> changes) => Changes.AddRange(changes);

    public Scope Enter(params string[] tokens)
    {
        path.AddRange(tokens);
        return new Scope(path, tokens.Length);
    }

    private string PathText(string[] extra)
    {
        var text = string.Empty;
        foreach (var token in path.Concat(extra))
        {
            text = Json.JsonText.Append(text, token);
        }

        return text;
    }

    public readonly struct Scope(List<string> path, int count) : IDisposable
    {
        public void Dispose() => path.RemoveRange(path.Count - count, count);
    }
}
