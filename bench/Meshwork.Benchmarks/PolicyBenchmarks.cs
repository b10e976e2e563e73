using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Meshwork.Diagnostics;
using Meshwork.Governance;
using Meshwork.Governance.Cel;
using Meshwork.Governance.Policies;
using Meshwork.Loading;
using Meshwork.Model;

namespace Meshwork.Benchmarks;

/// <summary>
/// Policy decisions and access plans (docs/benchmarks.md, "Policies").
/// <para>
/// <c>SingleDecision</c>: the condition of examples/retail's pii mask, compiled once, evaluated for mallory
/// (team-marketing, clearance 1) on a customers column with purpose 'fraud', so all four comparisons run.
/// Target ≤ 5 µs p50 (Cedar publishes 4–11 µs per authorization). The raw Cel package on the same expression
/// and variables, and two smaller expressions, show where the time goes.
/// </para>
/// <para>
/// <c>AccessPlan</c>: one plan per request for the 20-column dataset <see cref="PolicyMesh.Address"/> of
/// <see cref="PolicyMesh"/> (policies compiled once): mallory is permitted by a policy, 11 of her 20 columns are
/// masked and she gets a row filter; olivia is in the owning team. p99: the <c>policy-latency</c> command.
/// </para>
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class PolicyBenchmarks
{
    public const string Condition = "principal.team != resource.owner && !(request.purpose == 'fraud' && principal.clearance >= 3)";

    /// <summary>The same condition with index syntax instead of field selection (<c>principal['team']</c>).</summary>
    public const string IndexCondition = "principal['team'] != resource['owner'] && !(request['purpose'] == 'fraud' && principal['clearance'] >= 3)";

    /// <summary>examples/retail's row filter, which the planner compiles for every plan it applies to.</summary>
    public const string RowFilter = "row.country == principal.country";

    private readonly CelPolicyEvaluator _evaluator = new();
    private CompiledExpression _compiled = null!;
    private PolicyInput _input = null!;
    private Cel.CelProgramDelegate _raw = null!;
    private Cel.CelProgramDelegate _rawTrue = null!;
    private Cel.CelProgramDelegate _rawOneComparison = null!;
    private Cel.CelProgramDelegate _rawIndex = null!;
    private PolicyDeclarations _rowDeclarations = null!;
    private Dictionary<string, object?> _rawVariables = null!;
    private People _people = null!;
    private Principal _principal = null!;
    private Dictionary<string, object> _resource = null!;
    private Dictionary<string, object> _request = null!;

    private string _root = string.Empty;
    private PolicyAccessPlanner _planner = null!;
    private Principal _analyst = null!;
    private Principal _owner = null!;
    private DatasetResource _dataset = null!;

    /// <summary>What every plan is asked for.</summary>
    public static AccessRequest Request { get; } = new("marketing", "http");

    [GlobalSetup]
    public void Setup()
    {
        _root = PolicyMesh.Write();
        (_planner, _dataset, var people) = Prepare(_root);
        _analyst = people.FindPrincipal("mallory")!;
        _owner = people.FindPrincipal("olivia")!;

        _people = people;
        _principal = _analyst;
        _compiled = _evaluator.Compile(Condition, PolicyDeclarations.For(_people));
        _resource = Resource();
        _request = new Dictionary<string, object>(StringComparer.Ordinal) { ["purpose"] = "fraud", ["channel"] = "http" };
        _input = Input();
        _rawVariables = new Dictionary<string, object?>(_input.Variables!, StringComparer.Ordinal);

        var environment = new Cel.CelEnvironment(null, null);
        _raw = environment.Compile(Condition);
        _rawTrue = environment.Compile("true");
        _rawOneComparison = environment.Compile("principal.team != resource.owner");
        _rawIndex = environment.Compile(IndexCondition);
        _rowDeclarations = PolicyDeclarations.ForRows(_people, _dataset.Columns.ToDictionary(c => c.Name, c => c.LogicalType, StringComparer.Ordinal));
        if (_evaluator.Evaluate(_compiled, _input) is not true || _raw(_rawVariables) is not true || _rawIndex(_rawVariables) is not true)
        {
            throw new InvalidOperationException($"'{Condition}' should hold for mallory.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>IPolicyEvaluator.Evaluate on a compiled condition and a prepared input: what one decision costs.</summary>
    [Benchmark]
    public bool? SingleDecision() => _evaluator.Evaluate(_compiled, _input);

    /// <summary>The same with the input built per call, as PolicyAccessPlanner does (principal, resource and request maps).</summary>
    [Benchmark]
    public bool? SingleDecisionInputPerCall() => _evaluator.Evaluate(_compiled, Input());

    /// <summary>The Cel package's delegate on the same expression and variables, without Meshwork around it.</summary>
    [Benchmark]
    public object? RawCelDelegate() => _raw(_rawVariables);

    /// <summary>The package's fixed cost per call: the delegate of <c>true</c>.</summary>
    [Benchmark]
    public object? RawCelTrue() => _rawTrue(_rawVariables);

    /// <summary>One of the four comparisons: <c>principal.team != resource.owner</c>.</summary>
    [Benchmark]
    public object? RawCelOneComparison() => _rawOneComparison(_rawVariables);

    /// <summary>The condition written with index syntax: the package resolves every field selection (<c>a.b</c>) anew on each call.</summary>
    [Benchmark]
    public object? RawCelIndexSyntax() => _rawIndex(_rawVariables);

    /// <summary>Parse and type-check of the row filter, which PolicyAccessPlanner.Plan does per plan that has a row filter.</summary>
    [Benchmark]
    public CompiledExpression RowFilterCompile() => _evaluator.Compile(RowFilter, _rowDeclarations);

    /// <summary>mallory's plan: permitted by a policy, masks, a row filter.</summary>
    [Benchmark]
    public AccessPlan AccessPlan() => _planner.Plan(_analyst, _dataset, Request);

    /// <summary>olivia's plan: a member of the owning team.</summary>
    [Benchmark]
    public AccessPlan AccessPlanOwningTeam() => _planner.Plan(_owner, _dataset, Request);

    /// <summary>The planner over the mesh at <paramref name="root"/> with its policies compiled once, and the 20-column dataset.</summary>
    public static (PolicyAccessPlanner Planner, DatasetResource Dataset, People People) Prepare(string root)
    {
        var mesh = MeshLoader.Load(root).Mesh;
        var evaluator = new CelPolicyEvaluator();
        var diagnostics = new DiagnosticBag();
        var policies = PolicySet.Compile(mesh, evaluator, diagnostics);
        if (diagnostics.HasErrors || policies.Policies.Count != 14)
        {
            throw new InvalidOperationException($"Compiling the policies of {root} failed or left some out ({policies.Policies.Count} of 14 compiled).");
        }

        var planner = new PolicyAccessPlanner(mesh, policies, evaluator, TimeProvider.System);
        var dataset = Resources.Datasets(mesh).Single(d => d.Address == PolicyMesh.Address);
        if (dataset.Columns.Count != 20)
        {
            throw new InvalidOperationException($"{PolicyMesh.Address} has {dataset.Columns.Count} columns, expected 20.");
        }

        foreach (var id in new[] { "mallory", "olivia" })
        {
            var plan = planner.Plan(mesh.People.FindPrincipal(id)!, dataset, Request);
            if (!plan.Allowed)
            {
                throw new InvalidOperationException($"{id} should be allowed to read {PolicyMesh.Address}: {plan.Reason}");
            }
        }

        return (planner, dataset, mesh.People);
    }

    private PolicyInput Input() => new(new Dictionary<string, object>(StringComparer.Ordinal)
    {
        ["principal"] = PolicyInput.Principal(_principal, _people),
        ["resource"] = _resource,
        ["request"] = _request,
    });

    private static Dictionary<string, object> Resource() => new(StringComparer.Ordinal)
    {
        ["domain"] = "customers",
        ["product"] = "customers.accounts",
        ["dataset"] = PolicyMesh.Address,
        ["port"] = "accounts",
        ["owner"] = "team-customers",
        ["status"] = "active",
        ["tags"] = new List<object> { "customers", "source-aligned", "pii" },
        ["column"] = "email",
        ["column_tags"] = new List<object> { "pii", "pii:email" },
        ["classification"] = "confidential",
    };

    public sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(StatisticColumn.P50, StatisticColumn.P95, StatisticColumn.P100);
    }
}
