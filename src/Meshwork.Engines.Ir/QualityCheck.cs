using System.Collections.Immutable;
using Meshwork.Diagnostics;

namespace Meshwork.Engines.Ir;

/// <summary>The ODCS library metrics, plus SQL checks.</summary>
public enum QualityMetric
{
    RowCount,
    NullValues,
    MissingValues,
    InvalidValues,
    DuplicateValues,
    Sql,
}

/// <summary>A comparison of a measured value with the contract's threshold (<c>mustBe</c>, <c>mustBeBetween</c> ...).</summary>
public sealed record Threshold(string Operator, ImmutableArray<decimal> Operands)
{
    public bool Passes(decimal value) => Operator switch
    {
        "mustBe" => value == Operands[0],
        "mustNotBe" => value != Operands[0],
        "mustBeGreaterThan" => value > Operands[0],
        "mustBeGreaterOrEqualTo" => value >= Operands[0],
        "mustBeLessThan" => value < Operands[0],
        "mustBeLessOrEqualTo" => value <= Operands[0],
        "mustBeBetween" => value >= Operands[0] && value <= Operands[1],
        "mustNotBeBetween" => value < Operands[0] || value > Operands[1],
        _ => throw new InvalidOperationException($"Unknown operator '{Operator}'."),
    };

    public override string ToString() => $"{Operator} {string.Join(" and ", Operands)}";
}

/// <summary>
/// A quality check compiled from a contract rule. <see cref="Columns"/> is empty for rowCount and object-level SQL
/// checks; a property's SQL check names its property (the <c>{property}</c> placeholder). <see cref="Values"/> holds the missing or valid values a metric names.
/// </summary>
public sealed record QualityCheck(
    string Name,
    QualityMetric Metric,
    ImmutableArray<string> Columns,
    ImmutableArray<string> Values,
    string? Query,
    Threshold Threshold,
    bool Percent,
    Severity Severity,
    SourceLocation Location);
