using System.IO.Pipelines;

namespace Manta.Broker.Tests.Support;

/// <summary>An <see cref="IDuplexPipe"/> from a reader and a writer.</summary>
public sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
