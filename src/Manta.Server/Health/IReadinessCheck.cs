namespace Manta.Server.Health;

/// <summary>
/// One condition of <c>/readyz</c>: the server takes traffic only when every registered check is
/// ready. Register more as singletons of this interface (a store check comes with durability).
/// </summary>
public interface IReadinessCheck
{
    /// <summary>Short, stable name shown in the <c>/readyz</c> body.</summary>
    string Name { get; }

    /// <summary>Whether this part of the server is ready now. Called on every probe: keep it cheap.</summary>
    ValueTask<ReadinessResult> CheckAsync(CancellationToken cancellationToken);
}
