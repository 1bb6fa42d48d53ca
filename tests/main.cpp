// Catch's console reporter indents a wrapped name after its first ": ", and aborts when that
// column is past its width (80 by default): a failure in a case named so was lost in the abort.
#define CATCH_CONFIG_CONSOLE_WIDTH 160
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
