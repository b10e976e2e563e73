using System.Text;

namespace Meshwork.Engines.Postgres;

/// <summary>
/// Dataset addresses in a domain's SQL. PostgreSQL reads <c>a.b.c</c> as database.schema.table, so each address the
/// session holds is rewritten to its session relation (one identifier, <c>"a.b.c"</c>). Strings, quoted
/// identifiers and comments are left as they are; a three-part name the session does not hold is an error naming it.
/// </summary>
internal static class SqlAddresses
{
    public static string Rewrite(string sql, IReadOnlySet<string> known)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(known);
        var output = new StringBuilder(sql.Length);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var skipped = Skip(sql, i);
            if (skipped > i && c != '"')
            {
                output.Append(sql, i, skipped - i);
                i = skipped;
                continue;
            }

            if (IsIdentifierStart(c) || c == '"')
            {
                // A dotted name: its parts, each bare or quoted.
                var start = i;
                var parts = new List<string>();
                var end = i;
                while (true)
                {
                    var (part, next) = ReadPart(sql, end);
                    if (part is null)
                    {
                        break;
                    }

                    parts.Add(part);
                    end = next;
                    if (end < sql.Length && sql[end] == '.' && end + 1 < sql.Length && (IsIdentifierStart(sql[end + 1]) || sql[end + 1] == '"'))
                    {
                        end++;
                        continue;
                    }

                    break;
                }

                var preceded = start > 0 && sql[start - 1] == '.';
                if (parts.Count >= 3 && !preceded)
                {
                    var address = string.Join('.', parts.Take(3));
                    if (known.Contains(address))
                    {
                        output.Append(Sql.SqlDialect.Identifier(address));
                        foreach (var rest in parts.Skip(3))
                        {
                            output.Append('.').Append(Sql.SqlDialect.Identifier(rest));
                        }

                        i = end;
                        continue;
                    }

                    if (parts.Count == 3)
                    {
                        // Unquoted: engine messages are redacted of quoted text, and an address is a name, not a value.
                        throw new EngineException($"The SQL reads {address}, which is not a dataset this run reads; it may name its inputs ({(known.Count == 0 ? "none" : string.Join(", ", known.Order(StringComparer.Ordinal)))}).");
                    }
                }

                output.Append(sql, start, Math.Max(end, start + 1) - start);
                i = Math.Max(end, start + 1);
                continue;
            }

            output.Append(c);
            i++;
        }

        return output.ToString();
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';

    /// <summary>One name part at <paramref name="i"/>: bare (folded to lower case, as PostgreSQL does) or quoted.</summary>
    private static (string? Part, int Next) ReadPart(string sql, int i)
    {
        if (i >= sql.Length)
        {
            return (null, i);
        }

        if (sql[i] == '"')
        {
            var text = new StringBuilder();
            var j = i + 1;
            while (j < sql.Length)
            {
                if (sql[j] == '"')
                {
                    if (j + 1 < sql.Length && sql[j + 1] == '"')
                    {
                        text.Append('"');
                        j += 2;
                        continue;
                    }

                    return (text.ToString(), j + 1);
                }

                text.Append(sql[j++]);
            }

            return (null, sql.Length);
        }

        if (!IsIdentifierStart(sql[i]))
        {
            return (null, i);
        }

        var k = i;
        while (k < sql.Length && IsIdentifierPart(sql[k]))
        {
            k++;
        }

        return (sql[i..k].ToLowerInvariant(), k);
    }

    /// <summary>The end of a string, comment or dollar-quoted text starting at <paramref name="i"/>; <paramref name="i"/> when none starts there.</summary>
    private static int Skip(string sql, int i)
    {
        var c = sql[i];
        if (c == '\'')
        {
            var j = i + 1;
            while (j < sql.Length)
            {
                if (sql[j] == '\'')
                {
                    if (j + 1 < sql.Length && sql[j + 1] == '\'')
                    {
                        j += 2;
                        continue;
                    }

                    return j + 1;
                }

                j++;
            }

            return sql.Length;
        }

        if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
        {
            var end = sql.IndexOf('\n', i);
            return end < 0 ? sql.Length : end;
        }

        if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
        {
            var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
            return end < 0 ? sql.Length : end + 2;
        }

        if (c == '$' && (i == 0 || !IsIdentifierPart(sql[i - 1])))
        {
            var close = sql.IndexOf('$', i + 1);
            if (close > i && sql[(i + 1)..close].All(IsIdentifierPart))
            {
                var tag = sql[i..(close + 1)];
                var end = sql.IndexOf(tag, close + 1, StringComparison.Ordinal);
                return end < 0 ? sql.Length : end + tag.Length;
            }
        }

        return i;
    }
}
