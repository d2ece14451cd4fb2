using System.Runtime.InteropServices;

namespace Mesh.Integration.Tests.Local;

/// <summary>A fact that needs root (network namespaces, veths, iptables); xunit 2 has no dynamic skip, so decide here.</summary>
public sealed partial class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || GetEuid() != 0) Skip = "requires root to create network namespaces";
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
