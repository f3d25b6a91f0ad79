namespace Manta.Server.Health;

/// <summary>The answer of one <see cref="IReadinessCheck"/>.</summary>
/// <param name="Ready">Whether that part is ready.</param>
/// <param name="Detail">A short explanation for operators (no secrets, no client data).</param>
public readonly record struct ReadinessResult(bool Ready, string Detail)
{
    /// <summary>Ready, with <paramref name="detail"/>.</summary>
    public static ReadinessResult Up(string detail) => new(true, detail);

    /// <summary>Not ready, because of <paramref name="detail"/>.</summary>
    public static ReadinessResult Down(string detail) => new(false, detail);
}
