using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>
/// Product lineage (input port → the upstream product publishing its contract) has no cycle, no product
/// consumes itself, and consumers are warned off deprecated contracts.
/// </summary>
internal sealed class LineageCheck : IMeshCheck
{
    private static readonly string[] Deprecated = ["deprecated", "retired"];

    public CheckScope Scope => CheckScope.Mesh;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        var edges = new Dictionary<string, List<(string Upstream, InputPort Port)>>(StringComparer.Ordinal);
        foreach (var product in mesh.Products)
        {
            var list = edges[product.Key] = [];
            foreach (var port in product.InputPorts.Where(p => p.ContractId.Length > 0))
            {
                if (mesh.FindContract(port.ContractId) is { } contract && Deprecated.Contains(contract.Status))
                {
                    diagnostics.Report(Rules.DeprecatedInput, port.ContractLocation, $"Input port '{port.Name}' consumes contract '{contract.Id}', whose status is {contract.Status}.");
                }

                if (mesh.FindPublisher(port.ContractId) is not { } publisher)
                {
                    continue;
                }

                if (publisher.Product.Key == product.Key)
                {
                    diagnostics.Report(Rules.SelfInput, port.ContractLocation,
                        $"Input port '{port.Name}' consumes contract '{port.ContractId}', which '{product.Key}' publishes itself (port '{publisher.Port.Name}').");
                }
                else
                {
                    list.Add((publisher.Product.Key, port));
                }
            }
        }

        foreach (var cycle in StronglyConnected(edges).Where(c => c.Count > 1))
        {
            var members = cycle.ToHashSet(StringComparer.Ordinal);
            var path = string.Join(" → ", Order(cycle, edges, members));
            foreach (var key in cycle)
            {
                foreach (var (_, port) in edges[key].Where(e => members.Contains(e.Upstream)))
                {
                    diagnostics.Report(Rules.LineageCycle, port.ContractLocation, $"Input port '{port.Name}' of '{key}' closes a lineage cycle: {path}.");
                }
            }
        }
    }

    /// <summary>The cycle's products in consumption order, starting from the smallest key, for a readable message.</summary>
    private static IEnumerable<string> Order(List<string> cycle, Dictionary<string, List<(string Upstream, InputPort Port)>> edges, HashSet<string> members)
    {
        var start = cycle.Min(StringComparer.Ordinal)!;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var current = start;
        while (seen.Add(current))
        {
            yield return current;
            current = edges[current].Select(e => e.Upstream).Where(members.Contains).Order(StringComparer.Ordinal).First();
        }

        yield return current;
    }

    /// <summary>Tarjan's algorithm, iterative so a long lineage chain cannot exhaust the stack.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, List<(string Upstream, InputPort Port)>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var result = new List<List<string>>();
        var counter = 0;

        foreach (var start in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (index.ContainsKey(start))
            {
                continue;
            }

            var work = new Stack<(string Node, int Next)>();
            work.Push((start, 0));
            index[start] = low[start] = counter++;
            stack.Push(start);
            onStack.Add(start);
            while (work.Count > 0)
            {
                var (node, next) = work.Pop();
                var successors = edges[node];
                if (next < successors.Count)
                {
                    work.Push((node, next + 1));
                    var successor = successors[next].Upstream;
                    if (!edges.ContainsKey(successor))
                    {
                        continue;
                    }

                    if (!index.TryGetValue(successor, out var successorIndex))
                    {
                        index[successor] = low[successor] = counter++;
                        stack.Push(successor);
                        onStack.Add(successor);
                        work.Push((successor, 0));
                    }
                    else if (onStack.Contains(successor))
                    {
                        low[node] = Math.Min(low[node], successorIndex);
                    }

                    continue;
                }

                if (low[node] == index[node])
                {
                    var component = new List<string>();
                    string member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (member != node);
                    result.Add(component);
                }

                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
            }
        }

        return result;
    }
}
