using System.IO.Pipelines;

namespace Manta.Benchmarks.EndToEnd;

/// <summary>The broker's end of an in-memory connection: what a transport hands to the broker.</summary>
internal sealed class DuplexPipe : IDuplexPipe
{
    public DuplexPipe(PipeReader input, PipeWriter output)
    {
        Input = input;
        Output = output;
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }
}
