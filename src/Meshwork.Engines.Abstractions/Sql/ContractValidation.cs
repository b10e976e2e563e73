using System.Globalization;
using Meshwork.Engines.Ir;

namespace Meshwork.Engines.Sql;

/// <summary>
/// The contract enforced on write, the same steps on every engine, each engine running them in its own SQL
/// (<see cref="SqlDialect"/>): one read of the input that casts every value and checks every rule but uniqueness;
/// duplicated keys found by sorting the typed keys; every row of a duplicated key quarantined (computed again from the
/// input, so it keeps its original text); valid rows and quarantine as views over the checked rows, not copies.
/// </summary>
public static class ContractValidation
{
    /// <param name="sql">The engine's dialect.</param>
    /// <param name="spec">The dataset's contract, compiled.</param>
    /// <param name="input">The relation validated, as the engine names it in messages.</param>
    /// <param name="source">The relation validated, spelled in the engine's SQL.</param>
    /// <param name="runId">The run, kept with every quarantined row.</param>
    /// <param name="columns">The columns the input has.</param>
    /// <param name="execute">Runs a statement on the session; the second argument says what was being done, for its error.</param>
    /// <param name="count">Runs a query of one number on the session.</param>
    public static async Task<ValidationOutcome> RunAsync(SqlDialect sql, DatasetSpec spec, string input, string source, string runId,
        IEnumerable<string> columns, Func<string, string?, Task> execute, Func<string, Task<long>> count)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(execute);
        ArgumentNullException.ThrowIfNull(count);
        var present = columns.ToHashSet(StringComparer.Ordinal);
        var missing = spec.Columns.Where(c => !present.Contains(c.Name)).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            throw new EngineException($"'{input}' has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}, which contract '{spec.ContractId}' requires for '{spec.Address}'.");
        }

        var suffix = spec.Address.Replace('.', '_');
        var checkedRelation = SqlDialect.Identifier($"__mw_checked_{suffix}");
        var keys = spec.Rules.OfType<UniqueKey>().ToList();

        // Pass 1 reads the input once: every value cast, every rule but uniqueness checked, raw text kept only for
        // rows that failed.
        await execute(sql.CreateTempTable(checkedRelation, sql.CheckedRows(spec, source, keys, duplicates: null)),
            $"Validating {input} against contract {spec.ContractId}").ConfigureAwait(false);

        // Pass 2 finds duplicated keys in the typed values, with no second read of the input.
        var duplicates = new List<string>();
        long duplicated = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            var table = SqlDialect.Identifier(string.Create(CultureInfo.InvariantCulture, $"__mw_dup_{suffix}_{i}"));
            await execute(sql.CreateTempTable(table, SqlDialect.DuplicateKeys(keys[i], checkedRelation)), $"Finding duplicate keys of {input}").ConfigureAwait(false);
            duplicates.Add(table);
            duplicated += await count($"SELECT count(*) FROM {table}").ConfigureAwait(false);
        }

        // Every row of a duplicated key is quarantined, so the outcome does not depend on order. Those rows are rare:
        // they are computed again from the input, so their raw text is the original text.
        if (duplicated > 0)
        {
            var anyDuplicate = string.Join(" OR ", duplicates.Select((table, i) => SqlDialect.IsDuplicate(keys[i], checkedRelation, table)));
            await execute($"DELETE FROM {checkedRelation} WHERE {anyDuplicate}", null).ConfigureAwait(false);
            await execute($"INSERT INTO {checkedRelation}\n{sql.CheckedRows(spec, source, keys, duplicates)}", $"Quarantining duplicate keys of {input}").ConfigureAwait(false);
        }

        // Valid rows and quarantine are views over the checked rows: no second copy of the data.
        var validRelation = $"__mw_valid_{suffix}";
        var quarantineRelation = $"__mw_quarantine_{suffix}";
        await execute(sql.CreateTempView(SqlDialect.Identifier(validRelation), SqlDialect.ValidRows(spec, checkedRelation)), null).ConfigureAwait(false);
        await execute(sql.CreateTempView(SqlDialect.Identifier(quarantineRelation), sql.QuarantinedRows(spec, checkedRelation, runId)), null).ConfigureAwait(false);

        var valid = await count($"SELECT count(*) FROM {checkedRelation} WHERE __mw_reasons = ''").ConfigureAwait(false);
        var quarantined = await count($"SELECT count(*) FROM {checkedRelation} WHERE __mw_reasons <> ''").ConfigureAwait(false);
        return new ValidationOutcome(validRelation, quarantineRelation, valid, quarantined);
    }
}
