using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Meshwork.CelConformance;

/// <summary>
/// The tagged JSON values of export.mjs (<c>{"type": "int", "value": "3"}</c> ...) to and from what the CEL package
/// takes and returns: long, ulong, double, string, bool, null, <see cref="ByteString"/>, lists, maps,
/// <see cref="DateTimeOffset"/> for timestamps, <see cref="Duration"/> for durations, <see cref="Cel.CelType"/> for types.
/// </summary>
public static class TaggedValues
{
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private const int NanosPerTick = 100;

    /// <summary>Why a value cannot be given to or compared with the package (null: it can).</summary>
    public static string? Unsupported(JsonElement value)
    {
        if (value.TryGetProperty("unsupported", out var why))
        {
            return why.GetString();
        }

        return Type(value) switch
        {
            "list" => value.GetProperty("elements").EnumerateArray().Select(Unsupported).FirstOrDefault(w => w is not null),
            "map" => value.GetProperty("entries").EnumerateArray()
                .SelectMany(e => new[] { Unsupported(e.GetProperty("key")), Unsupported(e.GetProperty("value")) })
                .FirstOrDefault(w => w is not null),
            _ => null,
        };
    }

    /// <summary>A binding as a CEL variable, as Meshwork builds them (lists as List&lt;object&gt;, string-keyed maps as Dictionary&lt;string, object&gt;).</summary>
    public static object? ToClr(JsonElement value)
    {
        switch (Type(value))
        {
            case "null":
                return null;
            case "bool":
                return value.GetProperty("value").GetBoolean();
            case "int":
                return long.Parse(value.GetProperty("value").GetString()!, CultureInfo.InvariantCulture);
            case "uint":
                return ulong.Parse(value.GetProperty("value").GetString()!, CultureInfo.InvariantCulture);
            case "double":
                return Double(value.GetProperty("value"));
            case "string":
                return value.GetProperty("value").GetString();
            case "bytes":
                return ByteString.FromBase64(value.GetProperty("base64").GetString()!);
            case "enum":
                return (long)value.GetProperty("value").GetInt32();
            case "type":
                return new Cel.CelType(value.GetProperty("value").GetString()!);
            case "timestamp":
                return Timestamp(value);
            case "duration":
                return new Duration { Seconds = Seconds(value), Nanos = value.GetProperty("nanos").GetInt32() };
            case "list":
                return value.GetProperty("elements").EnumerateArray().Select(ToClr).ToList();
            case "map":
                var entries = value.GetProperty("entries").EnumerateArray().Select(e => (Key: ToClr(e.GetProperty("key")), Value: ToClr(e.GetProperty("value")))).ToList();
                if (entries.All(e => e.Key is string))
                {
                    return entries.ToDictionary(e => (string)e.Key!, e => e.Value, StringComparer.Ordinal);
                }

                return entries.ToDictionary(e => e.Key!, e => e.Value);
            default:
                throw new NotSupportedException($"A binding of type {Type(value)}.");
        }
    }

    /// <summary>Whether <paramref name="actual"/> (what the package returned) is the CEL value <paramref name="expected"/>; <paramref name="note"/> names a representation accepted leniently.</summary>
    public static bool Match(JsonElement expected, object? actual, out string? note)
    {
        note = null;
        switch (Type(expected))
        {
            case "null":
                return actual is null or NullValue;
            case "bool":
                return actual is bool b && b == expected.GetProperty("value").GetBoolean();
            case "int":
            case "enum":
                var i = Type(expected) == "enum" ? expected.GetProperty("value").GetInt32() : long.Parse(expected.GetProperty("value").GetString()!, CultureInfo.InvariantCulture);
                if (actual is int narrow)
                {
                    note = "int as Int32";
                    return narrow == i;
                }

                return actual is long l && l == i;
            case "uint":
                var u = ulong.Parse(expected.GetProperty("value").GetString()!, CultureInfo.InvariantCulture);
                if (actual is uint narrowU)
                {
                    note = "uint as UInt32";
                    return narrowU == u;
                }

                return actual is ulong ul && ul == u;
            case "double":
                var d = Double(expected.GetProperty("value"));
                if (actual is float f)
                {
                    note = "double as Single";
                    return Same(f, d);
                }

                return actual is double ad && Same(ad, d);
            case "string":
                return actual is string s && string.Equals(s, expected.GetProperty("value").GetString(), StringComparison.Ordinal);
            case "bytes":
                var bytes = Convert.FromBase64String(expected.GetProperty("base64").GetString()!);
                return actual switch
                {
                    ByteString bs => bs.Span.SequenceEqual(bytes),
                    byte[] array => array.AsSpan().SequenceEqual(bytes),
                    _ => false,
                };
            case "type":
                return actual is Cel.CelType type && string.Equals(type.Value, expected.GetProperty("value").GetString(), StringComparison.Ordinal);
            case "timestamp":
                return actual switch
                {
                    DateTimeOffset dto => Timestamp(expected) is { } t && dto == t,
                    DateTime dt => Timestamp(expected) is { } t2 && dt.ToUniversalTime() == t2.UtcDateTime,
                    Timestamp ts => ts.Seconds == Seconds(expected) && ts.Nanos == expected.GetProperty("nanos").GetInt32(),
                    _ => false,
                };
            case "duration":
                return actual switch
                {
                    Duration du => du.Seconds == Seconds(expected) && du.Nanos == expected.GetProperty("nanos").GetInt32(),
                    TimeSpan span => span == TimeSpan.FromTicks((Seconds(expected) * TicksPerSecond) + (expected.GetProperty("nanos").GetInt32() / NanosPerTick)),
                    _ => false,
                };
            case "list":
                if (actual is not IEnumerable list || actual is string or ByteString or IDictionary)
                {
                    return false;
                }

                var items = list.Cast<object?>().ToList();
                var elements = expected.GetProperty("elements").EnumerateArray().ToList();
                if (items.Count != elements.Count)
                {
                    return false;
                }

                for (var k = 0; k < items.Count; k++)
                {
                    if (!Match(elements[k], items[k], out var inner))
                    {
                        return false;
                    }

                    note ??= inner;
                }

                return true;
            case "map":
                if (actual is not IDictionary map)
                {
                    return false;
                }

                var entries = expected.GetProperty("entries").EnumerateArray().ToList();
                if (map.Count != entries.Count)
                {
                    return false;
                }

                foreach (var entry in entries)
                {
                    var found = false;
                    foreach (DictionaryEntry pair in map)
                    {
                        if (Match(entry.GetProperty("key"), pair.Key, out _))
                        {
                            if (!Match(entry.GetProperty("value"), pair.Value, out var inner))
                            {
                                return false;
                            }

                            note ??= inner;
                            found = true;
                            break;
                        }
                    }

                    if (!found)
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>A tagged value as CEL-like text, e.g. <c>3</c>, <c>3u</c>, <c>"x"</c>, <c>[1, 2.0]</c>.</summary>
    public static string Describe(JsonElement value) => Type(value) switch
    {
        "null" => "null",
        "bool" => value.GetProperty("value").GetBoolean() ? "true" : "false",
        "int" => value.GetProperty("value").GetString()!,
        "uint" => value.GetProperty("value").GetString() + "u",
        "double" => DescribeDouble(Double(value.GetProperty("value"))),
        "string" => Quote(value.GetProperty("value").GetString()!),
        "bytes" => $"b'{value.GetProperty("base64").GetString()}' (base64)",
        "enum" => $"{value.GetProperty("enumType").GetString()}({value.GetProperty("value").GetInt32()})",
        "type" => $"type({value.GetProperty("value").GetString()})",
        "timestamp" => $"timestamp({value.GetProperty("text").GetString() ?? Seconds(value).ToString(CultureInfo.InvariantCulture) + "s"})",
        "duration" => $"duration({Seconds(value)}s + {value.GetProperty("nanos").GetInt32()}ns)",
        "list" => "[" + string.Join(", ", value.GetProperty("elements").EnumerateArray().Select(Describe)) + "]",
        "map" => "{" + string.Join(", ", value.GetProperty("entries").EnumerateArray().Select(e => $"{Describe(e.GetProperty("key"))}: {Describe(e.GetProperty("value"))}")) + "}",
        var other => $"<{other}>",
    };

    /// <summary>What the package returned, with its CLR type where that tells something (e.g. <c>3 (Int32)</c>).</summary>
    public static string Describe(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        ulong u => u.ToString(CultureInfo.InvariantCulture) + "u",
        double d => DescribeDouble(d),
        string s => Quote(s),
        ByteString bs => $"b'{bs.ToBase64()}' (base64)",
        Cel.CelType t => $"type({t.Value})",
        DateTimeOffset dto => $"timestamp({dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)})",
        Duration du => $"duration({du.Seconds}s + {du.Nanos}ns)",
        IDictionary map => "{" + string.Join(", ", map.Cast<DictionaryEntry>().Select(e => $"{Describe(e.Key)}: {Describe(e.Value)}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Describe)) + "]",
        IFormattable f => $"{f.ToString(null, CultureInfo.InvariantCulture)} ({value.GetType().Name})",
        _ => $"{value} ({value.GetType().FullName})",
    };

    private static string Type(JsonElement value) => value.GetProperty("type").GetString()!;

    private static long Seconds(JsonElement value) => long.Parse(value.GetProperty("seconds").GetString()!, CultureInfo.InvariantCulture);

    /// <summary>A timestamp as DateTimeOffset, or null when it is out of its range or finer than its 100 ns ticks.</summary>
    private static DateTimeOffset? Timestamp(JsonElement value)
    {
        var seconds = Seconds(value);
        var nanos = value.GetProperty("nanos").GetInt32();
        var min = DateTimeOffset.MinValue.ToUnixTimeSeconds();
        var max = DateTimeOffset.MaxValue.ToUnixTimeSeconds();
        if (seconds < min || seconds > max || nanos % NanosPerTick != 0)
        {
            return null;
        }

        return DateTimeOffset.UnixEpoch.AddTicks((seconds * TicksPerSecond) + (nanos / NanosPerTick));
    }

    private static double Double(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            "-0" => -0.0,
            var text => throw new FormatException($"Not a double: {text}"),
        }
        : value.GetDouble();

    // NaN matches NaN (the conformance data compares protobuf values, where it does).
    private static bool Same(double actual, double expected) => double.IsNaN(expected) ? double.IsNaN(actual) : actual.Equals(expected);

    private static string DescribeDouble(double d) => d switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "+inf",
        double.NegativeInfinity => "-inf",
        _ when d == Math.Floor(d) && Math.Abs(d) < 1e15 => d.ToString("0.0", CultureInfo.InvariantCulture),
        _ => d.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string Quote(string s)
    {
        var text = new StringBuilder("\"");
        foreach (var c in s)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) || char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }
}
