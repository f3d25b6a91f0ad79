namespace Manta.Broker.Extensibility;

/// <summary>What an <see cref="AuthenticationStep"/> tells the broker to do.</summary>
public enum AuthenticationStepKind
{
    /// <summary>Send AUTH 0x18 with the step's data and wait for the client's answer.</summary>
    Continue,

    /// <summary>Authenticated: CONNACK 0x00 (or AUTH 0x00 on re-authentication) with the step's data.</summary>
    Success,

    /// <summary>Refused: CONNACK (or DISCONNECT on re-authentication) with the step's reason code.</summary>
    Fail,
}
