// vectors (see vectors.tier): the same ray caster, a new object per vector operation.
class V{constructor(x,y,z){this.x=x;this.y=y;this.z=z;}}
const add=(a,b)=>new V(a.x+b.x,a.y+b.y,a.z+b.z),sub=(a,b)=>new V(a.x-b.x,a.y-b.y,a.z-b.z),mul=(a,k)=>new V(a.x*k,a.y*k,a.z*k),dot=(a,b)=>a.x*b.x+a.y*b.y+a.z*b.z,norm=a=>mul(a,1.0/Math.sqrt(dot(a,a)));
function hit(o,d,c,r){const oc=sub(o,c);const b=dot(oc,d);const cc=dot(oc,oc)-r*r;const disc=b*b-cc;if(disc<0)return -1;return -b-Math.sqrt(disc);}
const size=+process.argv[2];const eye=new V(0,0,-5);const spheres=[];for(let i=0;i<8;i++)spheres.push(new V((i%4)-1.5,((i/4)|0)-0.5,2+(i%3)));let shade=0;
for(let py=0;py<size;py++)for(let px=0;px<size;px++){const d=norm(new V(px/size-0.5,py/size-0.5,1));let best=1e9,bi=-1;for(let i=0;i<8;i++){const t=hit(eye,d,spheres[i],0.4);if(t>0&&t<best){best=t;bi=i;}}
if(bi>=0){const p=add(eye,mul(d,best));const n=norm(sub(p,spheres[bi]));const l=norm(new V(1,1,-1));const k=dot(n,l);if(k>0)shade+=k;}}console.log(shade.toFixed(4));
