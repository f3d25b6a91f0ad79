using Microsoft.Extensions.Logging;

namespace Manta.Storage.Sqlite;

/// <summary>The SQLite store's log events, source-generated, with stable event ids (4xxx: storage).</summary>
internal static partial class StoreLog
{
    [LoggerMessage(4001, LogLevel.Information, "Store {Path} opened: schema version {Version}, durability {Durability}, {Bytes} bytes")]
    public static partial void Opened(ILogger logger, string path, int version, StoreDurability durability, long bytes);

    [LoggerMessage(4002, LogLevel.Information, "Store {Path} migrated from schema version {From} to {To}")]
    public static partial void Migrated(ILogger logger, string path, int from, int to);

    [LoggerMessage(4003, LogLevel.Information, "Store {Path} loaded: {Sessions} sessions, {Deliveries} deliveries, {Retained} retained messages")]
    public static partial void Loaded(ILogger logger, string path, int sessions, int deliveries, int retained);

    [LoggerMessage(4004, LogLevel.Warning, "Store {Path}: {Rows} rows that belong to no stored session were ignored")]
    public static partial void OrphanRows(ILogger logger, string path, int rows);

    [LoggerMessage(4005, LogLevel.Warning, "Store {Path}: the WAL journal mode is not available (journal mode {Mode}); commits are slower")]
    public static partial void NoWal(ILogger logger, string path, string mode);

    [LoggerMessage(4010, LogLevel.Error, "Store {Path}: commit of {Operations} operations failed (attempt {Attempt}); nothing of them is durable, they stay pending and are retried in {RetryMilliseconds} ms")]
    public static partial void CommitFailed(ILogger logger, Exception exception, string path, int operations, int attempt, int retryMilliseconds);

    [LoggerMessage(4011, LogLevel.Information, "Store {Path}: commit succeeded again after {Attempts} failed attempts")]
    public static partial void CommitRecovered(ILogger logger, string path, int attempts);

    [LoggerMessage(4012, LogLevel.Critical, "Store {Path} closed with {Operations} operations that could not be committed; they are lost")]
    public static partial void OperationsLost(ILogger logger, Exception exception, string path, int operations);

    [LoggerMessage(4013, LogLevel.Warning, "Store {Path}: closing the database failed")]
    public static partial void CloseFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(4016, LogLevel.Information, "Store {Path} closed: {Commits} commits applied {Operations} operations; {Coalesced} more were undone within their batch and never written")]
    public static partial void Closed(ILogger logger, string path, long commits, long operations, long coalesced);

    [LoggerMessage(4014, LogLevel.Error, "Store {Path}: a message handed to the store was released more often than it was referenced")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(4015, LogLevel.Critical, "Store {Path}: the writer stopped unexpectedly; nothing more becomes durable")]
    public static partial void WriterCrashed(ILogger logger, Exception exception, string path);
}
