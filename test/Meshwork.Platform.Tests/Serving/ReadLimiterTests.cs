using Meshwork.Platform.Serving;

namespace Meshwork.Platform.Tests.Serving;

public sealed class ReadLimiterTests
{
    [Fact]
    public void Acquire_PastThePerPrincipalLimit_IsRefusedForThatPrincipalOnly()
    {
        using var limiter = new ReadLimiter(global: 10, perPrincipal: 2);
        using var first = limiter.Acquire("mallory");
        using var second = limiter.Acquire("mallory");

        var refused = Assert.Throws<ServingException>(() => limiter.Acquire("mallory"));

        Assert.Equal(ServingError.TooManyRequests, refused.Error);
        Assert.Contains("per caller", refused.Message, StringComparison.Ordinal);
        using var other = limiter.Acquire("olivia");
    }

    [Fact]
    public void Acquire_PastTheGlobalLimit_IsRefusedForEveryone_AndAReleasedPermitIsFreeAgain()
    {
        using var limiter = new ReadLimiter(global: 2, perPrincipal: 2);
        var first = limiter.Acquire("mallory");
        using var second = limiter.Acquire("olivia");

        Assert.Equal(ServingError.TooManyRequests, Assert.Throws<ServingException>(() => limiter.Acquire("frank")).Error);
        first.Dispose();
        first.Dispose(); // twice is once

        using var third = limiter.Acquire("frank");
        Assert.Throws<ServingException>(() => limiter.Acquire("sam"));
    }

    [Fact]
    public void Acquire_RefusedGlobally_KeepsNoPerPrincipalPlace()
    {
        using var limiter = new ReadLimiter(global: 1, perPrincipal: 1);
        var held = limiter.Acquire("olivia");

        Assert.Throws<ServingException>(() => limiter.Acquire("mallory"));
        held.Dispose();

        // mallory's refused attempt left nothing behind: her one place is free.
        using var permit = limiter.Acquire("mallory");
    }
}
