// The one translation unit that compiles Asio and Beast (separate compilation): every
// other file includes their headers with BOOST_*_SEPARATE_COMPILATION and links this.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
