using System.Runtime.InteropServices;

namespace Mesh.Node.Capture;

/// <summary>The few libc calls capture needs that .NET does not expose.</summary>
internal static class LinuxNative
{
    public const int O_RDONLY = 0x0;
    public const int O_CLOEXEC = 0x80000;
    public const int CLONE_NEWNET = 0x40000000;

    // DllImport rather than LibraryImport: the signatures are blittable and this avoids requiring unsafe code.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static extern int SetNs(int fd, int nstype);
#pragma warning restore SYSLIB1054

    /// <summary>"errno N (text)" for the last P/Invoke error, for exception messages.</summary>
    public static string LastErrorText()
    {
        var errno = Marshal.GetLastPInvokeError();
        return $"errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})";
    }
}
