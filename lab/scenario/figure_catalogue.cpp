#include "lab/scenario/figure_catalogue.hpp"

#include "lab/layout.hpp"

namespace lab {

std::string figure_text(Figure figure, double value) {
    const FigureInfo& f = info(figure);
    return fixed(value, f.digits) + (f.unit.empty()  ? ""
                                     : f.unit == "%" ? " %"
                                                     : " " + std::string(f.unit));
}

}  // namespace lab
