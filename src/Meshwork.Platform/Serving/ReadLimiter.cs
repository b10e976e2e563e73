using System.Threading.RateLimiting;

namespace Meshwork.Platform.Serving;

/// <summary>
/// How many governed reads run at once: in all, and per principal. A read over either limit is refused at
/// once (no queue), so one caller's flood cannot hold the others' reads back; the caller retries later.
/// </summary>
internal sealed class ReadLimiter : IDisposable
{
    private readonly ConcurrencyLimiter _global;
    private readonly PartitionedRateLimiter<string> _perPrincipal;
    private readonly int _globalLimit;
    private readonly int _principalLimit;

    public ReadLimiter(int global, int perPrincipal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(global, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perPrincipal, 1);
        _globalLimit = global;
        _principalLimit = perPrincipal;
        _global = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = global, QueueLimit = 0 });
        _perPrincipal = PartitionedRateLimiter.Create<string, string>(principal => RateLimitPartition.GetConcurrencyLimiter(principal,
            _ => new ConcurrencyLimiterOptions { PermitLimit = perPrincipal, QueueLimit = 0 }), StringComparer.Ordinal);
    }

    /// <summary>How long a refused caller should wait before trying again.</summary>
    public static TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(1);

    /// <summary>A permit for one read of <paramref name="principal"/>, held until disposed; throws when a limit is reached.</summary>
    public IDisposable Acquire(string principal)
    {
        var own = _perPrincipal.AttemptAcquire(principal);
        if (!own.IsAcquired)
        {
            own.Dispose();
            throw new ServingException(ServingError.TooManyRequests,
                $"'{principal}' already has {_principalLimit} reads running, the limit per caller; retry when one has finished.");
        }

        var all = _global.AttemptAcquire();
        if (!all.IsAcquired)
        {
            all.Dispose();
            own.Dispose();
            throw new ServingException(ServingError.TooManyRequests, $"The server is running {_globalLimit} reads, its limit; retry in a moment.");
        }

        return new Permit(own, all);
    }

    public void Dispose()
    {
        _global.Dispose();
        _perPrincipal.Dispose();
    }

    private sealed class Permit(RateLimitLease own, RateLimitLease all) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                all.Dispose();
                own.Dispose();
            }
        }
    }
}
