using Meshwork.Diagnostics;
using Meshwork.Model;

namespace Meshwork.Checks;

/// <summary>
/// Each output port can be derived (DESIGN.md §3): <c>transform.sql</c> (one output port),
/// <c>&lt;port&gt;.sql</c>, or exactly one input projected onto the output contract.
/// </summary>
internal sealed class TransformCheck : IMeshCheck
{
    public const string DefaultTransform = "transform";

    public CheckScope Scope => CheckScope.Mesh;

    public void Run(Mesh mesh, DiagnosticBag diagnostics)
    {
        foreach (var product in mesh.Products)
        {
            var transforms = product.Transforms.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            var ports = product.OutputPorts.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var shared = transforms.Contains(DefaultTransform);

            if (shared && product.OutputPorts.Select(p => p.Name).Distinct().Count() > 1)
            {
                diagnostics.Report(Rules.MissingTransform, SourceLocation.StartOf(product.Folder + "/transform.sql"),
                    $"'{product.Key}' has several output ports, so transform.sql is ambiguous.", "Name each transform after its output port: <port>.sql.");
            }

            foreach (var port in product.OutputPorts.DistinctBy(p => p.Name))
            {
                var derivable = transforms.Contains(port.Name) || (shared && ports.Count == 1) || product.InputPorts.Length == 1;
                if (!derivable)
                {
                    var why = product.InputPorts.IsEmpty ? "it has no input port" : $"it has {product.InputPorts.Length} input ports";
                    diagnostics.Report(Rules.MissingTransform, port.Location,
                        $"Output port '{port.Name}' of '{product.Key}' has no transform ({port.Name}.sql or transform.sql) and {why}.");
                }
            }

            foreach (var stray in product.Transforms.Where(t => t.Name != DefaultTransform && !ports.Contains(t.Name)))
            {
                diagnostics.Report(Rules.StrayFile, SourceLocation.StartOf(stray.File),
                    $"'{stray.File}' is not used: no output port of '{product.Key}' is named '{stray.Name}'.");
            }

            foreach (var schedule in product.CustomProperties.Where(p => p.Property == Schedules.Property))
            {
                if (!Schedules.TryParse(schedule.StringValue, out _, out var error))
                {
                    diagnostics.Report(Rules.InvalidSchedule, schedule.Location, $"meshwork.schedule of '{product.Key}' is not a cron expression: {error}");
                }
            }
        }
    }
}
