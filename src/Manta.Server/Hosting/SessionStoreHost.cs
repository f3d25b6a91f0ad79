using System.Diagnostics.Metrics;
using Manta.Broker.Persistence;
using Manta.Server.Configuration;
using Manta.Storage.Sqlite;

namespace Manta.Server.Hosting;

/// <summary>
/// Opens the configured session store at start-up (SQLite in the data directory, or none for
/// memory mode), reports its disk use as metrics, and closes it after the broker has stopped.
/// </summary>
public sealed class SessionStoreHost : IAsyncDisposable
{
    /// <summary>The meter name of the storage instruments.</summary>
    public const string MeterName = "Manta.Storage";

    private readonly SqliteSessionStore? _sqlite;
    private readonly Meter? _meter;

    /// <summary>Opens the store; throws <see cref="StoreUnavailableException"/> when the database cannot be used.</summary>
    public SessionStoreHost(MantaOptions options, ILoggerFactory loggerFactory, IMeterFactory? meterFactory)
    {
        if (options.Storage.Mode != StorageMode.Sqlite)
        {
            return;
        }

        var path = Path.Combine(Path.GetFullPath(options.DataDirectory), "manta.db");
        _sqlite = new SqliteSessionStore(
            new SqliteStoreOptions { Path = path, Durability = options.Storage.Durability, FlushInterval = options.Storage.FlushInterval },
            loggerFactory.CreateLogger("Manta.Storage"));
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        var store = _sqlite;
        _meter.CreateObservableGauge("manta.storage.size", () => store.DatabaseBytes, "By", "Bytes of the database file and its write-ahead log");
        _meter.CreateObservableGauge("manta.storage.deliveries", () => store.StoredDeliveries, "{message}", "QoS 1/2 deliveries stored for persistent sessions");
    }

    /// <summary>The store, or null in memory mode.</summary>
    public ISessionStore? Store => _sqlite;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_sqlite is not null)
        {
            await _sqlite.DisposeAsync().ConfigureAwait(false);
        }

        _meter?.Dispose();
    }
}
