using System.Globalization;

namespace Meshwork.Testing;

/// <summary>Changes tests make to their copy of the example mesh (examples/retail).</summary>
public static class ExampleMesh
{
    /// <summary>Gives a product of the copy at <paramref name="repository"/> a <c>meshwork.schedule</c> (<paramref name="productFolder"/>: <c>domains/customers/profiles</c>).</summary>
    public static void Schedule(string repository, string productFolder, string cron)
    {
        var product = Path.Combine(repository, productFolder, "product.odps.yaml");
        var text = File.ReadAllText(product);
        if (!text.Contains("\nteam:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{product} has no 'team:' line to put the schedule before.");
        }

        File.WriteAllText(product, text.Replace("\nteam:", $"\ncustomProperties:\n  - property: meshwork.schedule\n    value: \"{cron}\"\nteam:", StringComparison.Ordinal));
    }

    /// <summary>
    /// Appends a customer to the copy's customers source every <paramref name="every"/> until stopped (ids from
    /// <paramref name="firstId"/>), so that every run of customer profiles has new rows to publish (and is recorded).
    /// </summary>
    public static async Task GrowCustomersAsync(string repository, TimeSpan every, int firstId, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            await AppendCustomerAsync(repository, firstId + i).ConfigureAwait(false);
            try
            {
                await Task.Delay(every, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }


    /// <summary>Appends one customer (a valid row, <paramref name="id"/> its key) to the copy's customers source.</summary>
    public static Task AppendCustomerAsync(string repository, int id) =>
        File.AppendAllTextAsync(Path.Combine(repository, "domains/customers/profiles/data/customers.csv"), string.Create(CultureInfo.InvariantCulture,
            $"{id},Grow,Ing,g{id}@example.com,+49 30 555 {id % 10_000:0000},DE,Berlin,1990-01-01,2024-01-01\n"), CancellationToken.None);
}
