using Meshwork.Diagnostics;
using Meshwork.Engines.Ir;

namespace Meshwork.Engines.Tests.Ir;

public sealed class ContractCompilerTests
{
    private static (DatasetSpec Spec, IReadOnlyList<Diagnostic> Diagnostics) Compile(string schemaYaml)
    {
        var contract = Contracts.Parse(schemaYaml);
        var diagnostics = new DiagnosticBag();
        var spec = ContractCompiler.CompileObject("d.p.t_v1", contract, contract.Schema[0], diagnostics);
        return (spec, diagnostics.ToSortedList());
    }

    [Fact]
    public void Compile_Property_YieldsTypeRequiredAndOptionRules()
    {
        var (spec, diagnostics) = Compile("""
              - name: t
                properties:
                  - name: code
                    logicalType: string
                    required: true
                    logicalTypeOptions:
                      minLength: 2
                      maxLength: 3
                      pattern: "^[A-Z]+$"
                      format: email
                  - name: qty
                    logicalType: integer
                    logicalTypeOptions:
                      minimum: 0
                      exclusiveMaximum: 10
                      multipleOf: 2
            """);

        Assert.Empty(diagnostics);
        Assert.Equal(
            [
                new Castable("code", DataType.String), new Required("code"), new MinLength("code", 2), new MaxLength("code", 3),
                new Pattern("code", "^[A-Z]+$"), new Format("code", "email"),
                new Castable("qty", DataType.Int64), new MinValue("qty", "0", false), new MaxValue("qty", "10", true), new MultipleOf("qty", "2"),
            ],
            spec.Rules);
        Assert.True(spec.Columns[0].Required);
    }

    [Fact]
    public void Compile_PrimaryKey_IsRequiredAndOneKeyInPositionOrder()
    {
        var (spec, _) = Compile("""
              - name: t
                properties:
                  - name: line
                    logicalType: integer
                    primaryKey: true
                    primaryKeyPosition: 2
                  - name: order_id
                    logicalType: integer
                    primaryKey: true
                    primaryKeyPosition: 1
                    unique: true
            """);

        var key = Assert.Single(spec.Rules.OfType<UniqueKey>(), k => k.PrimaryKey);
        Assert.Equal(["order_id", "line"], key.Columns);
        Assert.Equal(2, spec.Rules.OfType<Required>().Count());
        Assert.Single(spec.Rules.OfType<UniqueKey>(), k => !k.PrimaryKey); // unique on a column of a composite key still counts alone
    }

    [Fact]
    public void Compile_QualityRules_BecomeChecksWithThresholdsUnitsAndSeverities()
    {
        var (spec, diagnostics) = Compile("""
              - name: t
                properties:
                  - name: email
                    logicalType: string
                    quality:
                      - metric: nullValues
                        mustBeLessThan: 5
                        unit: percent
                        severity: warning
                quality:
                  - metric: rowCount
                  - metric: duplicateValues
                    mustBe: 0
                    arguments:
                      properties: [email]
                  - type: sql
                    query: SELECT count(*) FROM ${object}
                    mustBeBetween: [1, 10]
                  - type: text
                    description: Only described, never run.
            """);

        Assert.Empty(diagnostics);
        Assert.Collection(spec.Checks,
            c => Assert.Equal((QualityMetric.NullValues, "mustBeLessThan 5", true, Severity.Warning), (c.Metric, c.Threshold.ToString(), c.Percent, c.Severity)),
            c => Assert.Equal((QualityMetric.RowCount, "mustBeGreaterThan 0"), (c.Metric, c.Threshold.ToString())),
            c => Assert.Equal((QualityMetric.DuplicateValues, "email"), (c.Metric, Assert.Single(c.Columns))),
            c => Assert.Equal((QualityMetric.Sql, "mustBeBetween 1 and 10", Severity.Error), (c.Metric, c.Threshold.ToString(), c.Severity)));
    }

    [Fact]
    public void Compile_InvalidValuesToleratingNone_IsAlsoEnforcedOnWrite()
    {
        var (spec, _) = Compile("""
              - name: t
                properties:
                  - name: status
                    logicalType: string
                    quality:
                      - metric: invalidValues
                        mustBe: 0
                        arguments:
                          validValues: [open, closed]
                  - name: tier
                    logicalType: string
                    quality:
                      - metric: invalidValues
                        mustBeLessThan: 3
                        arguments:
                          validValues: [gold]
            """);

        var allowed = Assert.Single(spec.Rules.OfType<AllowedValues>());
        Assert.Equal("status", allowed.Column);
        Assert.Equal(["open", "closed"], allowed.Values);
        Assert.Equal(2, spec.Checks.Length);
    }

    [Fact]
    public void Compile_NonNumericOperand_IsReportedAndTheRuleSkipped()
    {
        var (spec, diagnostics) = Compile("""
              - name: t
                properties:
                  - name: a
                    logicalType: string
                quality:
                  - metric: rowCount
                    mustBe: many
            """);

        Assert.Empty(spec.Checks);
        Assert.Contains("many", Assert.Single(diagnostics).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mustBe", 3, true)]
    [InlineData("mustNotBe", 3, false)]
    [InlineData("mustBeGreaterThan", 2, true)]
    [InlineData("mustBeGreaterOrEqualTo", 3, true)]
    [InlineData("mustBeLessThan", 3, false)]
    [InlineData("mustBeLessOrEqualTo", 3, true)]
    public void Threshold_ComparesTheMeasuredValue(string op, int operand, bool passes) =>
        Assert.Equal(passes, new Threshold(op, [operand]).Passes(3));

    [Fact]
    public void Threshold_BetweenIsInclusive()
    {
        Assert.True(new Threshold("mustBeBetween", [1, 3]).Passes(3));
        Assert.False(new Threshold("mustNotBeBetween", [1, 3]).Passes(1));
        Assert.True(new Threshold("mustNotBeBetween", [1, 3]).Passes(4));
    }
}
