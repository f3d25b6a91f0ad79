using System.IO.Pipelines;

namespace Manta.Benchmarks.EndToEnd;

/// <summary>
/// Counts the bytes each subscriber receives and wakes the benchmark thread once every
/// subscriber has received a whole round. Counting bytes (not parsing) is enough: every delivery
/// of the round has the same, known encoded size, and it keeps the client side's cost out of
/// the measurement.
/// </summary>
internal sealed class DeliveryCounter : IDisposable
{
    private readonly ManualResetEventSlim _roundDone = new(false);
    private long _target;
    private int _pending;

    /// <summary>
    /// Announces the next round: each of <paramref name="subscribers"/> is to receive
    /// <paramref name="bytesPerSubscriber"/> more bytes. Call before writing the round.
    /// </summary>
    public void BeginRound(long bytesPerSubscriber, int subscribers)
    {
        _roundDone.Reset();
        Volatile.Write(ref _pending, subscribers);
        Interlocked.Add(ref _target, bytesPerSubscriber);
    }

    /// <summary>Blocks until every subscriber has received the round; throws when deliveries went missing.</summary>
    public void WaitForRound(TimeSpan timeout)
    {
        if (!_roundDone.Wait(timeout))
        {
            throw new TimeoutException($"{Volatile.Read(ref _pending)} subscriber(s) did not receive the whole round; were messages dropped?");
        }
    }

    /// <summary>
    /// One subscriber's read loop: reads everything the broker writes and counts it, until the
    /// broker closes the connection; then completes <paramref name="reader"/>. A single
    /// long-running async method allocates its state machine once, not per read.
    /// </summary>
    public async Task CountAsync(PipeReader reader)
    {
        long received = 0;
        long reachedTarget = 0;
        while (true)
        {
            var result = await reader.ReadAsync();
            received += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);

            var target = Volatile.Read(ref _target);
            if (received >= target && reachedTarget != target)
            {
                reachedTarget = target;
                if (Interlocked.Decrement(ref _pending) == 0)
                {
                    _roundDone.Set();
                }
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                await reader.CompleteAsync();
                return;
            }
        }
    }

    public void Dispose() => _roundDone.Dispose();
}
