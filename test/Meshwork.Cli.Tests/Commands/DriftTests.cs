using System.Text.Json;

namespace Meshwork.Cli.Tests.Commands;

/// <summary>Published data that went missing from the data folder: plan lists it, test reports it, apply publishes it again.</summary>
public sealed class DriftTests
{
    [Fact]
    public void DeletedSnapshot_IsListedByPlan_ReportedByTest_AndRepairedByApply()
    {
        var target = CliRunner.NewTempPath();
        try
        {
            CliRunner.CopyTree(Path.Combine(CliRunner.RepositoryRoot, "examples", "retail"), target);
            Assert.Equal(0, CliRunner.Run("apply", target, "--yes").ExitCode);
            Directory.Delete(Path.Combine(target, ".mesh", "data", "sales", "orders", "orders_v1"), recursive: true);

            var plan = CliRunner.Run("plan", target);
            var json = CliRunner.Run("plan", target, "--format", "json");
            var test = CliRunner.Run("test", target);
            var apply = CliRunner.Run("apply", target, "--yes", "--format", "json");
            var after = CliRunner.Run("plan", target);

            Assert.Equal(0, plan.ExitCode);
            Assert.DoesNotContain("Nothing to do", plan.Output, StringComparison.Ordinal);
            Assert.Contains("! repair sales.orders.orders_v1: its published snapshot data/sales/orders/orders_v1/", plan.Output, StringComparison.Ordinal);
            Assert.Contains("(apply runs sales.orders again)", plan.Output, StringComparison.Ordinal);
            using (var document = JsonDocument.Parse(json.Output))
            {
                var drift = Assert.Single(document.RootElement.GetProperty("drift").EnumerateArray());
                Assert.Equal(("sales.orders.orders_v1", "sales.orders"), (drift.GetProperty("address").GetString(), drift.GetProperty("product").GetString()));
            }

            Assert.Equal(1, test.ExitCode);
            Assert.Contains("sales.orders.orders_v1: its published snapshot", test.Output + test.Error, StringComparison.Ordinal);
            Assert.Contains("run 'mesh apply' to publish it again", test.Output + test.Error, StringComparison.Ordinal);
            Assert.True(apply.ExitCode == 0, apply.Error + apply.Output);
            using (var document = JsonDocument.Parse(apply.Output))
            {
                var orders = Assert.Single(document.RootElement.GetProperty("datasets").EnumerateArray(), d => d.GetProperty("address").GetString() == "sales.orders.orders_v1");
                Assert.False(orders.GetProperty("unchanged").GetBoolean());
                Assert.True(orders.GetProperty("published").GetInt64() > 0);
            }

            Assert.Contains("Nothing to do", after.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }
}
