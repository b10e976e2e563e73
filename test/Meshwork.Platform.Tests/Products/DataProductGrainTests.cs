using Meshwork.Model;
using Meshwork.Platform.Products;

namespace Meshwork.Platform.Tests.Products;

public class DataProductGrainTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("*/5 * * * * *", 60, 1_000)]        // a fifth of 5 s
    [InlineData("*/30 * * * * *", 60, 6_000)]       // a fifth of 30 s
    [InlineData("* * * * * *", 60, 1_000)]          // a fifth of a second is below the floor of a second
    [InlineData("* * * * * *", 0.1, 100)]           // unless the tick is shorter still
    [InlineData("0 2 * * *", 60, 60_000)]           // a daily product is checked once a tick, not every fifth of a day
    [InlineData("*/10 * * * *", 30, 30_000)]        // the tick caps a fifth of 10 minutes
    public void ReminderPeriod_IsAFifthOfTheCronInterval_BetweenASecondAndTheTick(string cron, double tickSeconds, int expectedMilliseconds)
    {
        Assert.True(Schedules.TryParse(cron, out var expression, out var error), error);

        var period = DataProductGrain.ReminderPeriod(expression, Now, TimeSpan.FromSeconds(tickSeconds));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), period);
    }

    [Fact]
    public void ReminderPeriod_OfACronWithNoSecondOccurrence_IsTheTick()
    {
        // 30 February never comes: there is no interval to take a fifth of.
        Assert.True(Schedules.TryParse("0 0 30 2 *", out var never, out var error), error);

        Assert.Equal(TimeSpan.FromMinutes(1), DataProductGrain.ReminderPeriod(never, Now, TimeSpan.FromMinutes(1)));
    }
}
