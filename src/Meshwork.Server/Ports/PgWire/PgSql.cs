using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Meshwork.Platform.Serving.Formats;

namespace Meshwork.Server.Ports.PgWire;

/// <summary>What a statement sent over the PostgreSQL wire protocol asks for, as the port routes it.</summary>
internal enum PgStatementKind
{
    /// <summary>Nothing but whitespace and comments.</summary>
    Empty,

    /// <summary>A SELECT over datasets: the governed reader's.</summary>
    Read,

    /// <summary>A query of the catalog or of the session (pg_catalog, information_schema, version(), SELECT 1): answered from what the caller may read.</summary>
    Catalog,

    /// <summary>SET name = value (the purpose is <c>meshwork.purpose</c>).</summary>
    Set,

    /// <summary>SHOW name.</summary>
    Show,

    /// <summary>Transaction and session commands a read-only server accepts and does nothing for (BEGIN, COMMIT, DISCARD ALL ...).</summary>
    NoOp,

    /// <summary>Anything that would write or change the database: refused.</summary>
    Refused,
}

/// <summary>The text of statements: splitting a simple query, routing a statement, and placing bound parameters.</summary>
internal static partial class PgSql
{
    /// <summary>The statements of a simple query, split at semicolons outside quotes and comments.</summary>
    public static IReadOnlyList<string> Split(string sql)
    {
        var statements = new List<string>();
        var start = 0;
        for (var i = 0; i < sql.Length; i++)
        {
            i = SkipQuotedOrComment(sql, i);
            if (i < sql.Length && sql[i] == ';')
            {
                statements.Add(sql[start..i]);
                start = i + 1;
            }
        }

        if (start < sql.Length && !string.IsNullOrWhiteSpace(StripComments(sql[start..])))
        {
            statements.Add(sql[start..]);
        }

        return statements.Count == 0 ? [string.Empty] : statements;
    }

    /// <summary>How a statement is handled.</summary>
    public static PgStatementKind Classify(string sql)
    {
        var text = StripComments(sql).Trim().TrimStart('(').TrimStart();
        if (text.Length == 0)
        {
            return PgStatementKind.Empty;
        }

        var keyword = FirstWord().Match(text).Value.ToUpperInvariant();
        return keyword switch
        {
            "SET" => PgStatementKind.Set,
            "SHOW" => PgStatementKind.Show,
            "BEGIN" or "START" or "COMMIT" or "END" or "ROLLBACK" or "ABORT" or "DISCARD" or "RESET" or "DEALLOCATE" or "CLOSE" or "UNLISTEN" or "SAVEPOINT" or "RELEASE" => PgStatementKind.NoOp,
            "SELECT" or "WITH" or "VALUES" or "TABLE" => IsCatalog(StripComments(sql, keepStrings: false)) ? PgStatementKind.Catalog : PgStatementKind.Read,
            _ => PgStatementKind.Refused,
        };
    }

    /// <summary>A query of the catalog or the session: it names a system catalog, or reads no table at all (SELECT 1, SELECT version()).</summary>
    private static bool IsCatalog(string bare) => CatalogReference().IsMatch(bare) || !FromClause().IsMatch(bare);

    /// <summary>The command tag of a statement the port accepts without doing anything (BEGIN, DISCARD ALL ...).</summary>
    public static string NoOpTag(string sql)
    {
        var words = Words().Matches(StripComments(sql)).Select(m => m.Value.ToUpperInvariant()).ToList();
        return words switch
        {
            ["START", ..] => "START TRANSACTION",
            ["END", ..] or ["COMMIT", ..] => "COMMIT",
            ["ABORT", ..] => "ROLLBACK",
            ["DISCARD", var what, ..] => $"DISCARD {what}",
            ["DEALLOCATE", "ALL", ..] => "DEALLOCATE ALL",
            [var first, ..] => first,
            _ => string.Empty,
        };
    }

    /// <summary>SET's name and value (<c>SET [SESSION|LOCAL] name {=|TO} value</c>); null for forms without one (SET TIME ZONE ...).</summary>
    public static (string Name, string Value)? ParseSet(string sql)
    {
        var match = SetPattern().Match(StripComments(sql).Trim());
        return match.Success ? (match.Groups["name"].Value.ToLowerInvariant(), Unquote(match.Groups["value"].Value.Trim())) : null;
    }

    /// <summary>SHOW's setting name, lower case.</summary>
    public static string ParseShow(string sql) => StripComments(sql).Trim()[4..].Trim().TrimEnd(';').Trim().Trim('"').ToLowerInvariant();

    /// <summary>
    /// A statement with its <c>$n</c> placeholders replaced by literals of the bound values, so the governed reader
    /// checks and plans the exact query that runs. Values are quoted as SQL strings and cast to the parameter's
    /// declared type, so a value can never change the statement's shape.
    /// </summary>
    public static string Bind(string sql, IReadOnlyList<int> types, IReadOnlyList<short> formats, IReadOnlyList<byte[]?> values)
    {
        if (values.Count == 0)
        {
            return sql;
        }

        var literals = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var format = formats.Count switch { 0 => (short)0, 1 => formats[0], _ => formats[i] };
            var type = i < types.Count ? types[i] : 0;
            literals[i] = Literal(values[i], type, format, i + 1);
        }

        var output = new StringBuilder(sql.Length + 16);
        for (var i = 0; i < sql.Length; i++)
        {
            var skipped = SkipQuotedOrComment(sql, i);
            if (skipped != i)
            {
                output.Append(sql, i, skipped - i);
                i = skipped - 1;
                continue;
            }

            if (sql[i] == '$' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1]))
            {
                var end = i + 1;
                while (end < sql.Length && char.IsAsciiDigit(sql[end]))
                {
                    end++;
                }

                var number = int.Parse(sql.AsSpan(i + 1, end - i - 1), CultureInfo.InvariantCulture);
                if (number < 1 || number > literals.Length)
                {
                    throw new PgException("08P01", $"The statement uses ${number}, but {literals.Length} parameter(s) were bound.");
                }

                output.Append(literals[number - 1]);
                i = end - 1;
                continue;
            }

            output.Append(sql[i]);
        }

        return output.ToString();
    }

    /// <summary>A statement with every placeholder as NULL: its result's shape without values (Describe of a statement).</summary>
    public static string WithNullParameters(string sql, int count) =>
        Bind(sql, [], [], [.. Enumerable.Repeat<byte[]?>(null, Math.Max(count, HighestPlaceholder(sql)))]);

    /// <summary>The highest <c>$n</c> a statement uses.</summary>
    public static int HighestPlaceholder(string sql) => Placeholder().Matches(sql).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();

    private static string Literal(byte[]? value, int type, short format, int position)
    {
        if (value is null)
        {
            return "NULL";
        }

        string text;
        if (format == 0)
        {
            text = Encoding.UTF8.GetString(value);
        }
        else
        {
            text = type switch
            {
                PgTypes.Bool when value.Length == 1 => value[0] != 0 ? "true" : "false",
                PgTypes.Int2 when value.Length == 2 => BinaryPrimitives.ReadInt16BigEndian(value).ToString(CultureInfo.InvariantCulture),
                PgTypes.Int4 when value.Length == 4 => BinaryPrimitives.ReadInt32BigEndian(value).ToString(CultureInfo.InvariantCulture),
                PgTypes.Int8 when value.Length == 8 => BinaryPrimitives.ReadInt64BigEndian(value).ToString(CultureInfo.InvariantCulture),
                PgTypes.Float4 when value.Length == 4 => BinaryPrimitives.ReadSingleBigEndian(value).ToString("R", CultureInfo.InvariantCulture),
                PgTypes.Float8 when value.Length == 8 => BinaryPrimitives.ReadDoubleBigEndian(value).ToString("R", CultureInfo.InvariantCulture),
                PgTypes.Date when value.Length == 4 => DateOnly.FromDayNumber(PgEpoch.DayNumber + BinaryPrimitives.ReadInt32BigEndian(value)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                PgTypes.Timestamp or PgTypes.TimestampTz when value.Length == 8 =>
                    PgEpoch.ToDateTime(TimeOnly.MinValue).AddTicks(BinaryPrimitives.ReadInt64BigEndian(value) * 10).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                PgTypes.Text or PgTypes.Varchar or PgTypes.Json or 0 or 705 => Encoding.UTF8.GetString(value),
                _ => throw new PgException("0A000", $"Parameter ${position} is sent in binary as type OID {type}, which Meshwork does not read; send it as text."),
            };
        }

        var quoted = "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
        return type switch
        {
            PgTypes.Bool => quoted + "::BOOLEAN",
            PgTypes.Int2 or PgTypes.Int4 => quoted + "::INTEGER",
            PgTypes.Int8 => quoted + "::BIGINT",
            PgTypes.Float4 or PgTypes.Float8 => quoted + "::DOUBLE",
            PgTypes.Numeric => quoted + "::DECIMAL(38,10)",
            PgTypes.Date => quoted + "::DATE",
            PgTypes.Timestamp => quoted + "::TIMESTAMP",
            PgTypes.TimestampTz => quoted + "::TIMESTAMPTZ",
            _ => quoted,
        };
    }

    private static readonly DateOnly PgEpoch = new(2000, 1, 1);

    /// <summary>The index just past a quoted string, quoted identifier or comment starting at <paramref name="i"/>; <paramref name="i"/> when none starts there.</summary>
    private static int SkipQuotedOrComment(string sql, int i)
    {
        if (i >= sql.Length)
        {
            return i;
        }

        switch (sql[i])
        {
            case '\'' or '"':
                var quote = sql[i];
                var j = i + 1;
                while (j < sql.Length)
                {
                    if (sql[j] == quote)
                    {
                        if (j + 1 < sql.Length && sql[j + 1] == quote)
                        {
                            j += 2;
                            continue;
                        }

                        return j + 1;
                    }

                    j++;
                }

                return sql.Length;
            case '-' when i + 1 < sql.Length && sql[i + 1] == '-':
                var newline = sql.IndexOf('\n', i);
                return newline < 0 ? sql.Length : newline;
            case '/' when i + 1 < sql.Length && sql[i + 1] == '*':
                var close = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                return close < 0 ? sql.Length : close + 2;
            default:
                return i;
        }
    }

    private static string StripComments(string sql, bool keepStrings = true)
    {
        var output = new StringBuilder(sql.Length);
        for (var i = 0; i < sql.Length; i++)
        {
            var skipped = SkipQuotedOrComment(sql, i);
            if (skipped != i)
            {
                // Quoted identifiers are kept, and strings unless asked not to (their words are not the statement's); a comment becomes a space.
                output.Append(sql[i] == '"' || (keepStrings && sql[i] == '\'') ? sql[i..skipped] : sql[i] == '\'' ? "''" : " ");
                i = skipped - 1;
                continue;
            }

            output.Append(sql[i]);
        }

        return output.ToString();
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '\'' && value[^1] == '\'' ? value[1..^1].Replace("''", "'", StringComparison.Ordinal)
        : value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1]
        : value;

    [GeneratedRegex(@"^[A-Za-z_]+")]
    private static partial Regex FirstWord();

    [GeneratedRegex(@"[A-Za-z_]+")]
    private static partial Regex Words();

    [GeneratedRegex(@"\$(\d+)")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^SET\s+(?:SESSION\s+|LOCAL\s+)?(?<name>[A-Za-z_][\w.]*)\s*(?:=|\s+TO\s+)\s*(?<value>.*?)\s*;?\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex SetPattern();

    /// <summary>A name of the system catalogs: such a query is about the catalog, not about data.</summary>
    [GeneratedRegex(@"\b(?:pg_catalog|information_schema)\s*\.|\bpg_[a-z_]+\b", RegexOptions.IgnoreCase)]
    private static partial Regex CatalogReference();

    [GeneratedRegex(@"\bFROM\b", RegexOptions.IgnoreCase)]
    private static partial Regex FromClause();
}

/// <summary>An error to send as an ErrorResponse: its SQLSTATE code and message.</summary>
internal sealed class PgException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
