// dlib's HOG face detector + 68-point shape predictor, for scripts/eval/landmark-reference.ts.
// Reads lines "raw_rgb_file width height [x y w h …]" on stdin (8-bit RGB, no header; optional
// boxes replace the detector) and prints one JSON line per image:
// {"file":..., "faces":[{"box":[l,t,w,h],"points":[[x,y]...68]}]}
// Build: g++ -O2 dlib-landmarks.cpp -ldlib -l:libblas.so.3 -l:liblapack.so.3 (Debian libdlib-dev).
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing.h>
#include <dlib/image_transforms.h>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>
using namespace dlib;
int main(int argc, char** argv) {
  std::string model = argc > 1 ? argv[1] : "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
  frontal_face_detector det = get_frontal_face_detector();
  shape_predictor sp;
  deserialize(model) >> sp;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream ss(line);
    std::string file; long w, h;
    if (!(ss >> file >> w >> h)) continue;
    std::ifstream in(file, std::ios::binary);
    std::vector<unsigned char> buf(w * h * 3);
    in.read((char*)buf.data(), buf.size());
    array2d<rgb_pixel> img(h, w);
    for (long y = 0; y < h; y++) for (long x = 0; x < w; x++) {
      const unsigned char* p = &buf[(y * w + x) * 3];
      img[y][x] = rgb_pixel(p[0], p[1], p[2]);
    }
    std::vector<rectangle> dets;
    double bx, by, bw, bh;
    std::vector<rectangle> given;
    while (ss >> bx >> by >> bw >> bh) given.push_back(rectangle((long)bx, (long)by, (long)(bx + bw), (long)(by + bh)));
    if (!given.empty()) dets = given; else dets = det(img);
    std::cout << "{\"file\":\"" << file << "\",\"faces\":[";
    for (size_t i = 0; i < dets.size(); i++) {
      full_object_detection s = sp(img, dets[i]);
      std::cout << (i ? "," : "") << "{\"box\":[" << dets[i].left() << "," << dets[i].top() << "," << dets[i].width() << "," << dets[i].height() << "],\"points\":[";
      for (unsigned k = 0; k < s.num_parts(); k++) std::cout << (k ? "," : "") << "[" << s.part(k).x() << "," << s.part(k).y() << "]";
      std::cout << "]}";
    }
    std::cout << "]}" << std::endl;
  }
}
