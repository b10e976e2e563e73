namespace Meshwork.Platform.Lineage;

/// <summary>
/// Where OpenLineage events go (DESIGN.md §4, observe): one plug-in point with an HTTP and a file transport. A transport
/// sends one event and throws when it could not; <see cref="LineageEmitter"/> retries, bounds and drains, so a
/// transport never needs to.
/// </summary>
public interface ILineageTransport
{
    /// <summary>Sends one RunEvent, already serialized as JSON; throws when the receiver did not accept it.</summary>
    Task SendAsync(string runEvent, CancellationToken cancellationToken);
}
