namespace Mesh.Control.Ambient;

/// <summary>PeerAuthentication mTLS mode; Unset inherits from the enclosing level.</summary>
internal enum MtlsMode { Unset, Disable, Permissive, Strict }

internal static class MtlsModes
{
    public static MtlsMode? Parse(string? mode) => mode switch
    {
        null or "" or "UNSET" => MtlsMode.Unset,
        "DISABLE" => MtlsMode.Disable,
        "PERMISSIVE" => MtlsMode.Permissive,
        "STRICT" => MtlsMode.Strict,
        _ => null,
    };

    /// <summary>DISABLE behaves like PERMISSIVE at the ztunnel: plaintext is let through.</summary>
    public static bool AllowsPlaintext(this MtlsMode mode) => mode is MtlsMode.Permissive or MtlsMode.Disable;
}
