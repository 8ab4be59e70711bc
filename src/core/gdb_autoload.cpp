// Embeds tools/gdb/ember_printers.py in a .debug_gdb_scripts section, so gdb loads the
// ember pretty-printers for any program linked with ember (when gdb's auto-load
// safe-path allows it, see README "Debugging"). Referenced from TensorImpl's destructor
// so that the linker keeps this object.
#ifndef EMBER_GDB_SCRIPT_PATH
#error "EMBER_GDB_SCRIPT_PATH must name tools/gdb/ember_printers.py"
#endif

#define EMBER_STR2(x) #x
#define EMBER_STR(x) EMBER_STR2(x)

namespace ember::detail {
// gdb's inline-script record: type byte 4, a name line, the script, a NUL.
asm(".pushsection \".debug_gdb_scripts\", \"MS\",@progbits,1\n"
    ".byte 4\n"
    ".ascii \"ember_printers.py\\n\"\n"
    ".incbin \"" EMBER_STR(EMBER_GDB_SCRIPT_PATH) "\"\n"
    ".byte 0\n"
    ".popsection\n");
/// Touched by ~TensorImpl to keep this translation unit in every program.
volatile int gdb_printers_anchor = 0;
}  // namespace ember::detail
